/**
 * The HTTP layer's own guards against a hostile server (issue 15), on real sockets: body caps per
 * endpoint kind, a declared oversize length refused before reading, one absolute deadline however
 * the bytes trickle, and the stop signal ending requests in flight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_TOO_LARGE, DEADLINE_EXCEEDED, HttpClient, REQUEST_ABORTED } from '../../../src/flow/http.ts';

let server: Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? 0);
    switch (new URL(req.url ?? '/', 'http://x').pathname) {
      case '/sized': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.alloc(size, 0x61));
        return;
      }
      case '/declared':
        // Declares 10 MB and sends the first 1 KB only: a client that trusts the header waits or allocates.
        res.writeHead(200, { 'content-length': 10 * 1024 * 1024 });
        res.write(Buffer.alloc(1024, 0x61));
        return;
      case '/trickle': {
        res.writeHead(200);
        const t = setInterval(() => {
          if (res.destroyed) clearInterval(t);
          else res.write('x');
        }, 100);
        res.on('close', () => clearInterval(t));
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const client = (o: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
  new HttpClient({ connections: 4, requestTimeoutMs: 10_000, connectTimeoutMs: 2000, maxBodyBytes: 4096, maxPageBytes: 8192, ...o });

describe('HttpClient against a hostile server', () => {
  it('caps JSON bodies and pages separately; a body at the cap is read whole', async () => {
    const http = client();
    try {
      const at = await http.send('token', { method: 'GET', url: new URL(`${base}/sized?size=4096`) });
      expect(at.ok && at.res.body.length).toBe(4096);
      const over = await http.send('token', { method: 'GET', url: new URL(`${base}/sized?size=4097`) });
      expect(over).toMatchObject({ ok: false, failure: { failureClass: 'bad_response', socketCode: BODY_TOO_LARGE, message: 'body over 4096 bytes' } });
      const page = await http.send('authorize', { method: 'GET', url: new URL(`${base}/sized?size=8000`) });
      expect(page.ok).toBe(true);
      const bigPage = await http.send('login', { method: 'GET', url: new URL(`${base}/sized?size=9000`) });
      expect(bigPage).toMatchObject({ ok: false, failure: { message: 'body over 8192 bytes' } });
    } finally {
      await http.close();
    }
  });

  it('refuses a declared Content-Length over the cap without waiting for the body', async () => {
    const http = client();
    try {
      const out = await http.send('discovery', { method: 'GET', url: new URL(`${base}/declared`) });
      expect(out).toMatchObject({ ok: false, failure: { failureClass: 'bad_response', socketCode: BODY_TOO_LARGE } });
    } finally {
      await http.close();
    }
  });

  it('ends a trickling body at the one absolute deadline (not reset by each byte)', async () => {
    const http = client({ requestTimeoutMs: 800 });
    try {
      const out = await http.send('token', { method: 'GET', url: new URL(`${base}/trickle`) });
      expect(out).toMatchObject({ ok: false, failure: { failureClass: 'timeout_response', socketCode: DEADLINE_EXCEEDED } });
      // Bytes kept arriving every 100 ms, so only an absolute deadline ends it; no upper time bound
      // is asserted (a busy machine may be late), only that it did not end before the deadline.
      expect(out.ok ? 0 : out.failure.serviceUs / 1000).toBeGreaterThanOrEqual(790);
    } finally {
      await http.close();
    }
  });

  it('the stop signal ends requests in flight and refuses new ones', async () => {
    const ac = new AbortController();
    const http = client({ signal: ac.signal });
    try {
      const pending = http.send('token', { method: 'GET', url: new URL(`${base}/trickle`) });
      setTimeout(() => ac.abort(), 200);
      expect(await pending).toMatchObject({ ok: false, failure: { socketCode: REQUEST_ABORTED } });
      const after = await http.send('token', { method: 'GET', url: new URL(`${base}/sized?size=1`) });
      expect(after).toMatchObject({ ok: false, failure: { socketCode: REQUEST_ABORTED } });
      // A per-request signal (start-up requests) works the same way.
      const own = new AbortController();
      own.abort();
      const plain = client();
      expect(await plain.send('discovery', { method: 'GET', url: new URL(`${base}/sized?size=1`), signal: own.signal })).toMatchObject({
        ok: false,
        failure: { socketCode: REQUEST_ABORTED },
      });
      await plain.close();
    } finally {
      await http.close();
    }
  });
});
