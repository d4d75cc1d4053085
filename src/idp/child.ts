/**
 * Entry of the embedded IdP child process (forked by ./embedded-idp.ts). A separate process so its
 * CPU is measured apart from the harness and a test can SIGSTOP it. Talks to the parent only over
 * IPC ({@link ./messages.ts}); exits when the parent goes away.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installSkewableClock, setClockOffsetMs } from './clock.ts';
import type { MapAdapterStore } from './map-adapter.ts';
import type { ChildMessage, IdpChildConfig, IdpMode, IdpStats, ParentMessage } from './messages.ts';
import { CLIENT_ID, REDIRECT_PATH } from './constants.ts';
import { primeIdp } from './prime.ts';
import { createIdpProvider } from './provider-setup.ts';

// Before oidc-provider is used, so every time it reads goes through the skewable clock.
installSkewableClock();

let mode: IdpMode = {};
// Priming is best effort: on a loaded machine it stops here and the IdP starts anyway.
const PRIME_DEADLINE_MS = 8000;
let store: MapAdapterStore | undefined;

function send(message: ChildMessage): void {
  // A parent that has gone away cannot take messages; 'disconnect' below ends the process.
  if (process.connected) process.send?.(message);
}

async function start(config: IdpChildConfig): Promise<void> {
  // Priming runs with correct behaviour; the configured fault mode starts with the first real request.
  mode = {};
  const server: Server = createServer();
  // Load runs keep thousands of connections alive; the defaults close idle ones after 5 s.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const created = await createIdpProvider({
    issuer,
    codeTtlSec: config.codeTtlSec,
    autoApprove: config.autoApprove,
    clientSecret: config.clientSecret,
    jwtClientPublicJwk: config.jwtClientPublicJwk,
    mode: () => mode,
    onErrorDetail: send,
  });
  store = created.store;
  server.on('request', created.provider.callback());
  const primed =
    config.primeFlows > 0
      ? await primeIdp({ authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, clientId: CLIENT_ID, redirectUri: `${issuer}${REDIRECT_PATH}` }, config.primeFlows, PRIME_DEADLINE_MS)
      : null;
  mode = { ...config.mode };
  send({ type: 'ready', issuer, port, pid: process.pid, primed });
}

function reply(id: number, run: () => unknown): void {
  try {
    send({ type: 'reply', id, ok: true, result: run() });
  } catch (err) {
    send({ type: 'reply', id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (raw: unknown) => {
  const message = raw as ParentMessage;
  switch (message.type) {
    case 'init':
      start(message.config).catch((err: unknown) => {
        send({ type: 'start-error', message: err instanceof Error ? err.message : String(err) });
        process.exitCode = 1;
        process.disconnect?.();
      });
      break;
    case 'set-clock-offset':
      reply(message.id, () => setClockOffsetMs(message.offsetMs));
      break;
    case 'set-mode':
      reply(message.id, () => {
        mode = { ...message.mode };
      });
      break;
    case 'stats':
      reply(message.id, (): IdpStats => {
        const memory = process.memoryUsage();
        return { adapterEntries: store?.size() ?? 0, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
      });
      break;
    case 'cpu-usage':
      reply(message.id, () => {
        const usage = process.cpuUsage();
        return { userMicros: usage.user, systemMicros: usage.system };
      });
      break;
  }
});

// The parent died or stopped us: an orphaned IdP would hold its port and CPU. This entry is its own
// process's main, so exiting here is the child's equivalent of cli/ setting the exit code; open
// keep-alive sockets would otherwise keep it alive.
process.on('disconnect', () => process.exit());
// Exit through Node rather than the default signal death so --cpu-prof and exit hooks still run.
process.on('SIGTERM', () => process.exit());
// A Ctrl-C in a terminal reaches the whole process group, this child included. Dying here would
// reset every flow in flight and record the harness's own interruption as connection_reset: the
// parent stops this child (SIGTERM, or the IPC channel closing) after the run has drained.
process.on('SIGINT', () => undefined);
