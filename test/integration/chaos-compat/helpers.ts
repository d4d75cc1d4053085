/**
 * Shared pieces of the Toxiproxy compatibility suite. In the `default` vitest project every file
 * starts the embedded fault server; in the `real-toxiproxy` project (see vitest.config.ts) the same
 * assertions run against the real Toxiproxy 2.12 its globalSetup started, and with TOXIPROXY_URL set
 * against any Toxiproxy you point them at (upstreams are still our echo servers on 127.0.0.1).
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { inject } from 'vitest';
import { startFaultServer } from '../../../src/chaos/fault-server.ts';

/** The real Toxiproxy to test, if any: from the real-toxiproxy project, or TOXIPROXY_URL. */
const REAL_URL = inject('toxiproxyUrl') || process.env['TOXIPROXY_URL'] || '';

/** True when the suite runs against a real Toxiproxy. */
export const REAL = REAL_URL !== '';

export interface Control {
  url: string;
  client: Toxiproxy;
  /** Unique proxy name (several runs may share a real server). */
  name(prefix: string): string;
  /** Deletes the proxies this file created; stops the embedded server. */
  close(): Promise<void>;
}

export async function startControl(): Promise<Control> {
  const embedded = REAL ? undefined : await startFaultServer();
  const url = (REAL ? REAL_URL : embedded!.url).replace(/\/$/, '');
  const created: string[] = [];
  return {
    url,
    client: new Toxiproxy(url),
    name(prefix) {
      const name = `${prefix}_${randomUUID().slice(0, 8)}`;
      created.push(name);
      return name;
    },
    async close() {
      if (embedded) return embedded.close();
      for (const name of created) await fetch(`${url}/proxies/${name}`, { method: 'DELETE' }).catch(() => {});
    },
  };
}

export interface RawResponse {
  status: number;
  contentType: string | null;
  text: string;
}

/** One API call with raw status, content type and body (the client library drops error bodies). */
export async function raw(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The exact Toxiproxy error body. */
export function errorBody(message: string, status: number): string {
  return `${JSON.stringify({ error: message, status })}\n`;
}

export interface EchoServer {
  port: number;
  upstream: string;
  /** Sockets accepted so far. */
  accepted: Socket[];
  close(): Promise<void>;
}

/** Starts a TCP server on 127.0.0.1:0; `onSocket` defaults to echo. */
export async function startTcpServer(onSocket: (s: Socket) => void = (s) => s.pipe(s)): Promise<EchoServer> {
  const accepted: Socket[] = [];
  const server: Server = createServer((s) => {
    accepted.push(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    upstream: `127.0.0.1:${port}`,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of accepted) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `host:port` → port. */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** A client socket with everything it receives and how it ended. */
export interface Probe {
  socket: Socket;
  received(): Buffer;
  /** Resolves when `n` bytes have arrived (rejects on close or after `timeoutMs`). */
  waitBytes(n: number, timeoutMs?: number): Promise<Buffer>;
  /** Resolves when the socket closes, with the error code (if any) and the time it happened. */
  closed: Promise<{ code: string | undefined; atMs: number; ended: boolean }>;
}

export async function openProbe(port: number): Promise<Probe> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const parts: Buffer[] = [];
  let total = 0;
  let waiter: (() => void) | undefined;
  let ended = false;
  let code: string | undefined;
  socket.on('data', (d: Buffer) => {
    parts.push(d);
    total += d.length;
    waiter?.();
  });
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    code = err.code;
  });
  const closed = new Promise<{ code: string | undefined; atMs: number; ended: boolean }>((resolve) =>
    socket.once('close', () => {
      waiter?.();
      resolve({ code, atMs: performance.now(), ended });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => Buffer.concat(parts),
    closed,
    waitBytes(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} bytes (got ${total})`)), timeoutMs);
        const check = (): void => {
          if (total >= n) {
            clearTimeout(timer);
            waiter = undefined;
            resolve(Buffer.concat(parts));
          } else if (socket.destroyed) {
            clearTimeout(timer);
            reject(new Error(`closed after ${total} of ${n} bytes`));
          }
        };
        waiter = check;
        check();
      });
    },
  };
}

/** Resolves with the connect error code (e.g. ECONNREFUSED), or undefined if it connected. */
export function tryConnect(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `payload` on the probe and returns the ms until `payload.length` more bytes came back. */
export async function roundTripMs(probe: Probe, payload: Buffer | string): Promise<number> {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const before = probe.received().length;
  const t0 = performance.now();
  probe.socket.write(data);
  await probe.waitBytes(before + data.length);
  return performance.now() - t0;
}
