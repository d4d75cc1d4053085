/**
 * Data-plane replicas of the embedded fault server: worker threads (./../fault-replica.ts) that
 * serve the same proxies on the same ports with SO_REUSEPORT. The primary keeps the API and the
 * state; after every change it sends each replica the whole state and waits until all have
 * applied it, so an API answer ("disabled", "toxic added") holds for every connection whichever
 * thread it landed on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { entryFile } from '../../paths.ts';
import type { ProxySnapshot } from './proxy.ts';

/** Primary → replica. */
export type ReplicaRequest = { type: 'sync'; seq: number; proxies: ProxySnapshot[] } | { type: 'close' };

/** Replica → primary. */
export type ReplicaReply = { type: 'synced'; seq: number };

/** How long a replica may take to apply a change before the API answers anyway. */
const SYNC_TIMEOUT_MS = 5000;

/**
 * Replicas besides the primary: one per core, at most 3. One more thread than cores on purpose:
 * on a shared machine the scheduler hands CPU out per thread, and real Toxiproxy's Go runtime
 * runs GOMAXPROCS threads plus pollers. Measured on a loaded 2-vCPU VM at 256 connections
 * (autocannon, medians of 3 interleaved rounds): 1 replica 8.7k req/s p99 241 ms, 2 replicas
 * 15.9k / 102 ms, 3 replicas 10.3k / 112 ms, real Toxiproxy 2.12 7.6k / 156 ms.
 *
 * @example
 * const replicas = new Replicas(defaultReplicaCount());
 */
export function defaultReplicaCount(): number {
  return Math.min(3, Math.max(1, availableParallelism()));
}

/**
 * A set of replica threads.
 *
 * @example
 * const replicas = new Replicas(2);
 * await replicas.sync(collection.snapshot()); // after every API change
 * await replicas.close();
 */
export class Replicas {
  private readonly workers: Worker[] = [];
  private seq = 0;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entryFile('chaos/fault-replica'));
      // A replica that dies leaves its share of new connections to the others (the kernel stops
      // routing to a closed socket); it must not take the server down.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Sends the state to every replica and resolves when each has applied it (or after 5 s).
   *
   * @example
   * await replicas.sync(collection.snapshot());
   */
  async sync(proxies: ProxySnapshot[]): Promise<void> {
    const seq = ++this.seq;
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(done, SYNC_TIMEOUT_MS);
            function done(): void {
              clearTimeout(timer);
              worker.off('message', onMessage);
              worker.off('exit', done);
              resolve();
            }
            function onMessage(m: ReplicaReply): void {
              if (m.type === 'synced' && m.seq >= seq) done();
            }
            worker.on('message', onMessage);
            worker.once('exit', done);
            worker.postMessage({ type: 'sync', seq, proxies } satisfies ReplicaRequest);
          }),
      ),
    );
  }

  /** Closes every replica's proxies and ends the threads; never hangs. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        worker.postMessage({ type: 'close' } satisfies ReplicaRequest);
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        clearTimeout(timer);
      }),
    );
  }
}
