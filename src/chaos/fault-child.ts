/**
 * Entry of the fault child process (forked by ./fault-server.ts): runs the embedded
 * Toxiproxy-compatible server on its own event loop and CPU, so proxying never competes with the
 * load generator, and the harness self-check (event-loop delay, process CPU) measures the harness
 * alone. Talks to the parent only over IPC ({@link ./fault-messages.ts}); exits when the parent
 * goes away.
 */
import { isTokenstormError } from '../errors.ts';
import { type InlineFaultServer, serveFaultsInline } from './fault-server-inline.ts';
import type { FaultChildMessage, FaultParentMessage } from './fault-messages.ts';

let server: InlineFaultServer | undefined;

function send(message: FaultChildMessage): void {
  if (process.connected) process.send?.(message);
}

process.on('message', (raw: unknown) => {
  const message = raw as FaultParentMessage;
  switch (message.type) {
    case 'init':
      serveFaultsInline({ host: message.host, port: message.port, ...(message.replicas === undefined ? {} : { replicas: message.replicas }) }).then(
        (s) => {
          server = s;
          send({ type: 'ready', url: s.url, host: s.host, port: s.port, pid: process.pid });
        },
        (err: unknown) => {
          send(
            isTokenstormError(err)
              ? { type: 'start-error', code: err.code, message: err.message, hint: err.hint }
              : { type: 'start-error', code: 'ERR_INTERNAL', message: err instanceof Error ? err.message : String(err), hint: undefined },
          );
          process.disconnect?.();
        },
      );
      break;
    case 'close':
      void (server?.close() ?? Promise.resolve()).then(() => {
        send({ type: 'closed' });
        process.disconnect?.();
      });
      break;
  }
});

// The parent died or is done with us: an orphaned fault server would hold its ports. This entry is
// its own process's main, so exiting here is the child's equivalent of cli/ setting the exit code;
// open proxied sockets would otherwise keep it alive.
process.on('disconnect', () => process.exit());
// A Ctrl-C in a terminal reaches the whole process group: the parent decides when the proxies go
// (after its drain), so the child ignores SIGINT. SIGTERM still ends it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => process.exit());
