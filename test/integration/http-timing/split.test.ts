/**
 * The HTTP client's timing split against a real server on 127.0.0.1: with one connection and three
 * requests at once, the later two wait in the pool (queued), only the first opens a connection,
 * the server's hold shows up as `wait`, and the socket byte counters see both directions.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type RequestTiming } from '../../../src/flow/http.ts';

const held: ServerResponse[] = [];
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => held.push(res));
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Answers every held request as it arrives, each after `holdMs`. */
function answerEach(holdMs: number, count: number): Promise<void> {
  return new Promise((resolve) => {
    let answered = 0;
    const poll = setInterval(() => {
      const res = held.shift();
      if (!res) return;
      setTimeout(() => {
        res.end('{"ok":true}');
        if (++answered === count) {
          clearInterval(poll);
          resolve();
        }
      }, holdMs);
    }, 2);
  });
}

describe('HttpClient timing split', () => {
  it('separates pool queueing, connect and the server wait, and counts bytes', async () => {
    const timings: RequestTiming[] = [];
    await using http = new HttpClient({ connections: 1, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000, onTiming: (_e, t) => timings.push(t) });
    const answered = answerEach(150, 3);
    const outs = await Promise.all([0, 1, 2].map(() => http.send('token', { method: 'POST', url: new URL(`${base}/token`), form: 'a=b' })));
    await answered;
    expect(outs.every((o) => o.ok && o.res.status === 200)).toBe(true);
    expect(timings).toHaveLength(3);
    // Exactly one connection was opened, by exactly one request.
    expect(timings.filter((t) => t.newConnection)).toHaveLength(1);
    expect(timings.filter((t) => !t.newConnection).every((t) => t.connectUs === 0)).toBe(true);
    // Every request waited for the server's hold; the last one also waited behind two others in the pool.
    for (const t of timings) expect(t.waitUs).toBeGreaterThanOrEqual(100_000);
    const byQueue = [...timings].sort((a, b) => a.queuedUs - b.queuedUs);
    expect(byQueue[2]!.queuedUs).toBeGreaterThan(byQueue[2]!.waitUs);
    // The split adds up to the service time the flow sees.
    const services = outs.map((o) => (o.ok ? o.res.serviceUs : 0)).sort((a, b) => a - b);
    const sums = timings.map((t) => t.queuedUs + t.connectUs + t.waitUs + t.receiveUs).sort((a, b) => a - b);
    for (let i = 0; i < 3; i++) expect(Math.abs(sums[i]! - services[i]!)).toBeLessThan(5_000);
    const wire = http.wireBytes();
    expect(wire.connections).toBe(1);
    expect(wire.sentBytes).toBeGreaterThan(3 * 'POST /token HTTP/1.1\r\n'.length);
    expect(wire.receivedBytes).toBeGreaterThan(3 * '{"ok":true}'.length);
  });
});
