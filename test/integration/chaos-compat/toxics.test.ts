/**
 * What each toxic does to real bytes on real sockets. Lower bounds are exact (timers never fire
 * early, in Node or in Go); upper bounds only separate right from wrong behaviour (ms vs s,
 * accumulating delays, an idle timer that never resets) with seconds of margin, because the
 * machine may be busy. How close to the nominal times each proxy gets is a benchmark's question
 * (`tokenstorm bench proxy`), not a test's.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import {
  type Control,
  type EchoServer,
  openProbe,
  portOf,
  roundTripMs,
  sleep,
  startControl,
  startTcpServer,
} from './helpers.ts';

let control: Control;
let echo: EchoServer;
/** Answers any read with BLOB_BYTES bytes, for downstream pacing tests. */
let blob: EchoServer;
const BLOB_BYTES = 480_000;
const BLOB = Buffer.alloc(BLOB_BYTES, 7);
/** Counts reads per connection, to see slicing on the upstream side. */
const readsPerSocket = new Map<Socket, number>();
let counter: EchoServer;

beforeAll(async () => {
  control = await startControl();
  echo = await startTcpServer();
  blob = await startTcpServer((s) => s.once('data', () => s.write(BLOB)));
  counter = await startTcpServer((s) => s.on('data', () => readsPerSocket.set(s, (readsPerSocket.get(s) ?? 0) + 1)));
});

afterAll(async () => {
  await control.close();
  await Promise.all([echo.close(), blob.close(), counter.close()]);
});

async function proxyTo(upstream: string, prefix: string): Promise<ToxiproxyProxy> {
  return control.client.createProxy({ name: control.name(prefix), listen: '127.0.0.1:0', upstream });
}

type ToxicBody = Parameters<ToxiproxyProxy['addToxic']>[0];
function toxic(type: string, attributes: Record<string, number>, stream: 'upstream' | 'downstream' = 'downstream', extra: Partial<ToxicBody> = {}): ToxicBody {
  return { name: `${type}_${stream}`, type: type as never, stream, toxicity: 1, attributes, ...extra };
}

describe('latency', () => {
  it('delays each chunk by latency ± jitter without accumulating', async () => {
    const proxy = await proxyTo(echo.upstream, 'lat');
    await proxy.addToxic(toxic('latency', { latency: 300, jitter: 20 }));
    const probe = await openProbe(portOf(proxy.listen));
    for (let i = 0; i < 4; i++) {
      const ms = await roundTripMs(probe, `ping${i}`);
      expect(ms).toBeGreaterThanOrEqual(300 - 20 - 1);
      expect(ms).toBeLessThan(3000); // seconds instead of ms would be 300 000
    }
    // Ten chunks sent 10 ms apart arrive ~300 ms after each was sent: ~400 ms in all, where
    // accumulating delays would take 10 × 300 ms.
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) {
      probe.socket.write('x');
      await sleep(10);
    }
    await probe.waitBytes(4 * 5 + 10, 10_000);
    expect(performance.now() - t0).toBeLessThan(2000);
    probe.socket.destroy();
  });

  it('adds up when two latency toxics are chained, and applies upstream', async () => {
    const proxy = await proxyTo(echo.upstream, 'lat2');
    await proxy.addToxic(toxic('latency', { latency: 50, jitter: 0 }, 'downstream', { name: 'a' }));
    await proxy.addToxic(toxic('latency', { latency: 50, jitter: 0 }, 'downstream', { name: 'b' }));
    await proxy.addToxic(toxic('latency', { latency: 40, jitter: 0 }, 'upstream'));
    const probe = await openProbe(portOf(proxy.listen));
    const ms = await roundTripMs(probe, 'two');
    expect(ms).toBeGreaterThanOrEqual(140 - 1);
    expect(ms).toBeLessThan(3000);
    probe.socket.destroy();
  });

  it('flushes queued data at once when removed', async () => {
    const proxy = await proxyTo(echo.upstream, 'flush');
    const lat = await proxy.addToxic(toxic('latency', { latency: 5000, jitter: 0 }));
    const probe = await openProbe(portOf(proxy.listen));
    const t0 = performance.now();
    probe.socket.write('held');
    await sleep(100);
    expect(probe.received().length).toBe(0);
    await lat.remove();
    await probe.waitBytes(4, 3000);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(probe.received().toString()).toBe('held');
    probe.socket.destroy();
  });

  it('applies added and updated toxics to open connections at once', async () => {
    const proxy = await proxyTo(echo.upstream, 'live');
    const probe = await openProbe(portOf(proxy.listen));
    expect(await roundTripMs(probe, 'before')).toBeLessThan(2000);
    const lat = await proxy.addToxic(toxic('latency', { latency: 2000, jitter: 0 }));
    expect(await roundTripMs(probe, 'added')).toBeGreaterThanOrEqual(2000);
    await lat.update({ toxicity: 0 } as never); // redrawn on update: never applies now
    expect(await roundTripMs(probe, 'off')).toBeLessThan(2000);
    probe.socket.destroy();
  });

  it('draws toxicity per connection, not per request', async () => {
    const proxy = await proxyTo(echo.upstream, 'toxicity');
    await proxy.addToxic(toxic('latency', { latency: 1500, jitter: 0 }, 'downstream', { toxicity: 0.5 }));
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const probe = await openProbe(portOf(proxy.listen));
        const ms: number[] = [];
        for (let i = 0; i < 3; i++) ms.push(Math.round(await roundTripMs(probe, 'p')));
        probe.socket.destroy();
        return ms;
      }),
    );
    // One draw covers the connection: all its round trips are delayed (never < 1500) or none is.
    for (const ms of outcomes) expect(new Set(ms.map((m) => m >= 1500)).size, String(ms)).toBe(1);
    const slowCount = outcomes.filter((ms) => ms[0]! >= 1500).length;
    expect(slowCount).toBeGreaterThan(0);
    expect(slowCount).toBeLessThan(30);
  });
});

describe('bandwidth', () => {
  it('paces 480 000 B at 1000 KB/s in about 480 ms', async () => {
    const proxy = await proxyTo(blob.upstream, 'bw');
    await proxy.addToxic(toxic('bandwidth', { rate: 1000 }));
    const probe = await openProbe(portOf(proxy.listen));
    const t0 = performance.now();
    probe.socket.write('go');
    await probe.waitBytes(BLOB_BYTES, 10_000);
    const ms = performance.now() - t0;
    // 1 KB = 1000 B: at 1024 B/KB it would take 469 ms; unpaced, a few ms.
    expect(ms).toBeGreaterThanOrEqual(475);
    expect(ms).toBeLessThan(5000);
    expect(probe.received().equals(BLOB)).toBe(true);
    probe.socket.destroy();
  });
});

describe('timeout', () => {
  it('drops data and closes after `timeout` ms without a chunk (idle timer)', async () => {
    const proxy = await proxyTo(echo.upstream, 'timeout');
    await proxy.addToxic(toxic('timeout', { timeout: 300 }));
    const probe = await openProbe(portOf(proxy.listen));
    const t0 = performance.now();
    probe.socket.write('a');
    await sleep(200);
    probe.socket.write('b'); // its echo resets the idle timer
    const ms = (await probe.closed).atMs - t0;
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThan(5000);
    expect(probe.received().length).toBe(0);
  });

  it('with 0 never closes, until removed', async () => {
    const proxy = await proxyTo(echo.upstream, 'timeout0');
    const t = await proxy.addToxic(toxic('timeout', { timeout: 0 }));
    const probe = await openProbe(portOf(proxy.listen));
    probe.socket.write('a');
    await sleep(300);
    expect(probe.socket.destroyed).toBe(false);
    const t0 = performance.now();
    await t.remove();
    const closed = await probe.closed;
    expect(closed.atMs - t0).toBeLessThan(200);
    expect(probe.received().length).toBe(0);
  });
});

describe('reset_peer', () => {
  it('resets with ECONNRESET about `timeout` ms after the first chunk', async () => {
    const proxy = await proxyTo(echo.upstream, 'reset');
    await proxy.addToxic(toxic('reset_peer', { timeout: 100 }));
    const probe = await openProbe(portOf(proxy.listen));
    const t0 = performance.now();
    probe.socket.write('boom');
    const closed = await probe.closed;
    expect(closed.code).toBe('ECONNRESET');
    expect(closed.atMs - t0).toBeGreaterThanOrEqual(99);
    expect(closed.atMs - t0).toBeLessThan(5000);
    expect(probe.received().length).toBe(0);
  });

  it('closes connections opened before it was added with FIN', async () => {
    const proxy = await proxyTo(echo.upstream, 'resetold');
    const probe = await openProbe(portOf(proxy.listen));
    await roundTripMs(probe, 'warm');
    await proxy.addToxic(toxic('reset_peer', { timeout: 50 }));
    probe.socket.write('boom');
    const closed = await probe.closed;
    expect(closed).toMatchObject({ code: undefined, ended: true });
  });
});

describe('limit_data, slicer, slow_close', () => {
  it('limit_data forwards exactly `bytes` then closes', async () => {
    const proxy = await proxyTo(echo.upstream, 'limit');
    await proxy.addToxic(toxic('limit_data', { bytes: 10 }));
    const probe = await openProbe(portOf(proxy.listen));
    probe.socket.write('0123456789abcdefghij');
    const closed = await probe.closed;
    expect(closed.code).toBeUndefined();
    expect(probe.received().toString()).toBe('0123456789');
  });

  it('limit_data counts from when the toxic was added', async () => {
    const proxy = await proxyTo(echo.upstream, 'limitlate');
    const probe = await openProbe(portOf(proxy.listen));
    await roundTripMs(probe, 'x'.repeat(50));
    await proxy.addToxic(toxic('limit_data', { bytes: 4 }));
    probe.socket.write('abcdefgh');
    await probe.closed;
    expect(probe.received().toString()).toBe(`${'x'.repeat(50)}abcd`);
  });

  it('slicer splits into pieces that re-assemble byte-exact', async () => {
    const proxy = await proxyTo(echo.upstream, 'slicer');
    await proxy.addToxic(toxic('slicer', { average_size: 300, size_variation: 100, delay: 0 }));
    const probe = await openProbe(portOf(proxy.listen));
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251));
    probe.socket.write(payload);
    expect((await probe.waitBytes(payload.length, 5000)).equals(payload)).toBe(true);
    probe.socket.destroy();

    // Upstream side: 1000 B in ~100 B pieces 2 ms apart reach the server as several reads.
    const sliced = await proxyTo(counter.upstream, 'slicer2');
    await sliced.addToxic(toxic('slicer', { average_size: 100, size_variation: 10, delay: 2000 }, 'upstream'));
    const p2 = await openProbe(portOf(sliced.listen));
    p2.socket.write(Buffer.alloc(1000, 1));
    await sleep(100);
    const reads = [...readsPerSocket.values()].at(-1) ?? 0;
    expect(reads).toBeGreaterThanOrEqual(4);
    p2.socket.destroy();
  });

  it('slow_close delays the close by `delay` and leaves data alone', async () => {
    const closer = await startTcpServer((s) => s.once('data', () => s.end('bye')));
    const proxy = await proxyTo(closer.upstream, 'slowclose');
    await proxy.addToxic(toxic('slow_close', { delay: 1500 }));
    const probe = await openProbe(portOf(proxy.listen));
    const t0 = performance.now();
    probe.socket.write('hi');
    await probe.waitBytes(3);
    // The data is not held: it arrives while the close is still being delayed.
    expect(probe.socket.destroyed).toBe(false);
    const closeMs = (await probe.closed).atMs - t0;
    expect(closeMs).toBeGreaterThanOrEqual(1499);
    expect(closeMs).toBeLessThan(10_000);
    expect(probe.received().toString()).toBe('bye');
    await closer.close();
  });
});
