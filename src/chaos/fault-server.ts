/**
 * The embedded Toxiproxy-compatible fault server: the Toxiproxy HTTP API plus the proxies it
 * creates, in a child process of its own (./fault-child.ts), so it never shares the load
 * generator's event loop or CPU accounting. Anything that speaks to Toxiproxy
 * (toxiproxy-node-client, the toxiproxy CLI) works against it; see /work/shared/TOXIPROXY.md for
 * the semantics it matches.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { TokenstormError } from '../errors.ts';
import { entryFile } from '../paths.ts';
import type { FaultChildMessage, FaultParentMessage } from './fault-messages.ts';
import { checkFaultServerOptions, type FaultServerOptions } from './fault-server-options.ts';

export type { FaultServerOptions } from './fault-server-options.ts';
export { TOXIPROXY_COMPAT_VERSION } from './toxiproxy/http-api.ts';

/** A running fault server. */
export interface FaultServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474`; pass it to `new Toxiproxy(url)`. */
  url: string;
  host: string;
  port: number;
  /** Process id of the fault child process. */
  pid: number;
  /** Closes the API, every proxy listener and every proxied socket, and ends the child; never hangs. */
  close(): Promise<void>;
  /** Same as close(), for `await using faults = await startFaultServer()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** How long the child gets to answer before start-up counts as failed. */
const START_TIMEOUT_MS = 15_000;
/** How long a close may take before the child is killed. */
const CLOSE_TIMEOUT_MS = 3000;

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The child also exits on IPC disconnect; this covers a parent that exits while the channel lingers.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/**
 * Starts the fault server on loopback, in its own process.
 *
 * @throws TokenstormError `ERR_NOT_LOOPBACK` for a non-loopback host, `ERR_USAGE` for a bad port,
 *   `ERR_ADDRESS_IN_USE` when the port is taken, `ERR_INTERNAL` when the child cannot start.
 * @example
 * const faults = await startFaultServer();
 * const toxiproxy = new Toxiproxy(faults.url);
 * const proxy = await toxiproxy.createProxy({ name: 'token', listen: 'localhost:0', upstream: 'localhost:3000' });
 * await proxy.addToxic({ type: 'latency', attributes: { latency: 100, jitter: 0 } } as never);
 * await faults.close(); // or hold it with `await using`
 */
export async function startFaultServer(opts: FaultServerOptions = {}): Promise<FaultServer> {
  const { host, port } = checkFaultServerOptions(opts);
  if (opts.replicas !== undefined && (!Number.isInteger(opts.replicas) || opts.replicas < 0 || opts.replicas > 64)) {
    throw new TokenstormError('ERR_USAGE', `fault server replicas must be an integer in 0..64, got ${opts.replicas}`);
  }
  installExitHook();
  let child: ChildProcess;
  try {
    child = fork(entryFile('chaos/fault-child'), [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  } catch (cause) {
    throw new TokenstormError('ERR_INTERNAL', 'could not start the fault server process', { cause });
  }
  liveChildren.add(child);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      liveChildren.delete(child);
      resolve();
    }),
  );
  const send = (m: FaultParentMessage): void => {
    if (child.connected) child.send(m);
  };

  let ready: Extract<FaultChildMessage, { type: 'ready' }>;
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TokenstormError('ERR_INTERNAL', `fault server process did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const done = (): void => clearTimeout(timer);
      child.on('message', (raw: unknown) => {
        const m = raw as FaultChildMessage;
        if (m.type === 'ready') {
          done();
          resolve(m);
        } else if (m.type === 'start-error') {
          done();
          reject(new TokenstormError(m.code, m.message, m.hint === undefined ? {} : { hint: m.hint }));
        }
      });
      child.once('error', (cause) => {
        done();
        reject(new TokenstormError('ERR_INTERNAL', 'fault server process error', { cause }));
      });
      void exited.then(() => {
        done();
        const why = stderrTail.trim().split('\n').at(-1) ?? '';
        reject(new TokenstormError('ERR_INTERNAL', `fault server process exited before it was ready${why ? `: ${why}` : ''}`));
      });
      send({ type: 'init', host, port, replicas: opts.replicas });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })();
    return closing;
  };
  return { url: ready.url, host: ready.host, port: ready.port, pid: ready.pid, close, [Symbol.asyncDispose]: close };
}
