/**
 * What each toxic does to real bytes on real sockets, timed with bounds that allow for a loaded CI
 * machine but would catch wrong units (ms vs s, KB vs KiB) or accumulating delays.
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
  withLag,
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
    await proxy.addToxic(toxic('latency', { latency: 100, jitter: 20 }));
    const probe = await openProbe(portOf(proxy.listen));
    for (let i = 0; i < 4; i++) {
      const { result: ms, lagMs } = await withLag(() => roundTripMs(probe, `ping${i}`));
      expect(ms).toBeGreaterThanOrEqual(100 - 20 - 1);
      expect(ms).toBeLessThanOrEqual(100 + 20 + 15 + lagMs);
    }
    // Ten chunks sent 10 ms apart arrive ~100 ms after each was sent, not 10 × 100 ms.
    const { result: totalMs, lagMs } = await withLag(async () => {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) {
        probe.socket.write('x');
        await sleep(10);
      }
      await probe.waitBytes(4 * 5 + 10, 2000);
      return performance.now() - t0;
    });
    expect(totalMs).toBeLessThan(100 + 100 + 20 + 30 + lagMs);
    probe.socket.destroy();
  });

  it('adds up when two latency toxics are chained, and applies upstream', async () => {
    const proxy = await proxyTo(echo.upstream, 'lat2');
    await proxy.addToxic(toxic('latency', { latency: 50, jitter: 0 }, 'downstream', { name: 'a' }));
    await proxy.addToxic(toxic('latency', { latency: 50, jitter: 0 }, 'downstream', { name: 'b' }));
    await proxy.addToxic(toxic('latency', { latency: 40, jitter: 0 }, 'upstream'));
    const probe = await openProbe(portOf(proxy.listen));
    const { result: ms, lagMs } = await withLag(() => roundTripMs(probe, 'two'));
    expect(ms).toBeGreaterThanOrEqual(140 - 1);
    expect(ms).toBeLessThanOrEqual(140 + 15 + lagMs);
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
    await probe.waitBytes(4, 1000);
    expect(performance.now() - t0).toBeLessThan(400);
    expect(probe.received().toString()).toBe('held');
    probe.socket.destroy();
  });

  it('applies added and updated toxics to open connections at once', async () => {
    const proxy = await proxyTo(echo.upstream, 'live');
    const probe = await openProbe(portOf(proxy.listen));
    expect(await roundTripMs(probe, 'before')).toBeLessThan(300);
    const lat = await proxy.addToxic(toxic('latency', { latency: 300, jitter: 0 }));
    expect(await roundTripMs(probe, 'added')).toBeGreaterThanOrEqual(300);
    await lat.update({ toxicity: 0 } as never); // redrawn on update: never applies now
    expect(await roundTripMs(probe, 'off')).toBeLessThan(300);
    probe.socket.destroy();
  });

  it('draws toxicity per connection, not per request', async () => {
    const proxy = await proxyTo(echo.upstream, 'toxicity');
    await proxy.addToxic(toxic('latency', { latency: 300, jitter: 0 }, 'downstream', { toxicity: 0.5 }));
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const probe = await openProbe(portOf(proxy.listen));
        const ms: number[] = [];
        for (let i = 0; i < 3; i++) ms.push(Math.round(await roundTripMs(probe, 'p')));
        probe.socket.destroy();
        return ms;
      }),
    );
    // One draw covers the connection: all its round trips are delayed (never < 300) or none is.
    for (const ms of outcomes) expect(new Set(ms.map((m) => m >= 300)).size, String(ms)).toBe(1);
    const slowCount = outcomes.filter((ms) => ms[0]! >= 300).length;
    expect(slowCount).toBeGreaterThan(0);
    expect(slowCount).toBeLessThan(30);
  });
});

describe('bandwidth', () => {
  it('paces 480 000 B at 1000 KB/s in about 480 ms', async () => {
    const proxy = await proxyTo(blob.upstream, 'bw');
    await proxy.addToxic(toxic('bandwidth', { rate: 1000 }));
    const probe = await openProbe(portOf(proxy.listen));
    const { result: ms, lagMs } = await withLag(async () => {
      const t0 = performance.now();
      probe.socket.write('go');
      await probe.waitBytes(BLOB_BYTES, 3000);
      return performance.now() - t0;
    });
    // 1 KB = 1000 B: at 1024 B/KB it would take 469 ms.
    expect(ms).toBeGreaterThanOrEqual(475);
    expect(ms).toBeLessThanOrEqual(480 + 15 + lagMs);
    expect(probe.received().equals(BLOB)).toBe(true);
    probe.socket.destroy();
  });
});

describe('timeout', () => {
  it('drops data and closes after `timeout` ms without a chunk (idle timer)', async () => {
    const proxy = await proxyTo(echo.upstream, 'timeout');
    await proxy.addToxic(toxic('timeout', { timeout: 300 }));
    const probe = await openProbe(portOf(proxy.listen));
    const { result: ms, lagMs } = await withLag(async () => {
      const t0 = performance.now();
      probe.socket.write('a');
      await sleep(200);
      probe.socket.write('b'); // its echo resets the idle timer
      return (await probe.closed).atMs - t0;
    });
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThanOrEqual(500 + 30 + lagMs);
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
    const { result, lagMs } = await withLag(async () => {
      const t0 = performance.now();
      probe.socket.write('boom');
      const closed = await probe.closed;
      return { code: closed.code, ms: closed.atMs - t0 };
    });
    expect(result.code).toBe('ECONNRESET');
    expect(result.ms).toBeGreaterThanOrEqual(99);
    expect(result.ms).toBeLessThanOrEqual(100 + 20 + lagMs);
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
    await proxy.addToxic(toxic('slow_close', { delay: 200 }));
    const probe = await openProbe(portOf(proxy.listen));
    const { result, lagMs } = await withLag(async () => {
      const t0 = performance.now();
      probe.socket.write('hi');
      await probe.waitBytes(3);
      const dataMs = performance.now() - t0;
      return { dataMs, closeMs: (await probe.closed).atMs - t0 };
    });
    expect(result.dataMs).toBeLessThan(50 + lagMs);
    expect(result.closeMs).toBeGreaterThanOrEqual(199);
    expect(result.closeMs).toBeLessThanOrEqual(200 + 20 + lagMs);
    expect(probe.received().toString()).toBe('bye');
    await closer.close();
  });
});
