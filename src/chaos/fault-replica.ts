/**
 * Entry of a data-plane replica: a worker thread inside the fault child process that mirrors the
 * primary's proxies on the same ports (SO_REUSEPORT), so proxied traffic is spread over several
 * cores as Toxiproxy's goroutines are, while the API and its state stay in one place
 * (./fault-server-inline.ts). Messages: {@link ./toxiproxy/replicas.ts}.
 */
import { parentPort } from 'node:worker_threads';
import { ProxyCollection } from './toxiproxy/collection.ts';
import type { ReplicaRequest, ReplicaReply } from './toxiproxy/replicas.ts';

const collection = new ProxyCollection({ reusePort: true });
// Snapshots apply one at a time, in order: each is a whole state, the last one wins.
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (m: ReplicaRequest) => {
  if (m.type === 'close') {
    collection.destroyAll();
    parentPort!.close();
    return;
  }
  queue = queue.then(async () => {
    await collection.reconcile(m.proxies).catch(() => undefined);
    parentPort!.postMessage({ type: 'synced', seq: m.seq } satisfies ReplicaReply);
  });
});
