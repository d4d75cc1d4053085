/**
 * The proxy without toxics: byte-exact, cheap, and `enabled:false` really takes it down.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Control,
  type EchoServer,
  openProbe,
  portOf,
  roundTripMs,
  sleep,
  startControl,
  startTcpServer,
  tryConnect,
} from './helpers.ts';

let control: Control;
let echo: EchoServer;

beforeAll(async () => {
  control = await startControl();
  echo = await startTcpServer();
});

afterAll(async () => {
  await control.close();
  await echo.close();
});

async function echoProxy(prefix: string) {
  return control.client.createProxy({ name: control.name(prefix), listen: '127.0.0.1:0', upstream: echo.upstream });
}

describe('pass-through', () => {
  it('is byte-exact for small, 1 MB and two-part messages', async () => {
    const proxy = await echoProxy('exact');
    const probe = await openProbe(portOf(proxy.listen));
    await roundTripMs(probe, 'hello');
    const big = randomBytes(1024 * 1024);
    probe.socket.write(big);
    await probe.waitBytes(5 + big.length, 5000);
    probe.socket.write('part one|');
    await sleep(20);
    probe.socket.write('part two');
    await probe.waitBytes(5 + big.length + 17);
    const got = probe.received();
    expect(got.subarray(0, 5).toString()).toBe('hello');
    expect(got.subarray(5, 5 + big.length).equals(big)).toBe(true);
    expect(got.subarray(5 + big.length).toString()).toBe('part one|part two');
    probe.socket.destroy();
  });

  it('closes both sides when one side ends (no half-close)', async () => {
    const proxy = await echoProxy('fin');
    const probe = await openProbe(portOf(proxy.listen));
    await roundTripMs(probe, 'x');
    const upstreamSide = echo.accepted.at(-1)!;
    const upstreamClosed = new Promise<void>((resolve) => upstreamSide.once('close', () => resolve()));
    probe.socket.end();
    await upstreamClosed;
    expect((await probe.closed).ended).toBe(true);
  });

  it('accepts then closes the client when the upstream cannot be dialled', async () => {
    const dead = await startTcpServer();
    await dead.close();
    const proxy = await control.client.createProxy({ name: control.name('dead'), listen: '127.0.0.1:0', upstream: dead.upstream });
    const probe = await openProbe(portOf(proxy.listen));
    const closed = await probe.closed;
    expect(probe.received().length).toBe(0);
    expect(closed.code === undefined || closed.code === 'ECONNRESET').toBe(true);
  });
});

describe('enabled:false', () => {
  it('closes open connections with FIN and refuses new ones; toxics are kept', async () => {
    const proxy = await echoProxy('down');
    await proxy.addToxic({ name: 'n', type: 'noop' as never, stream: 'upstream', toxicity: 1, attributes: {} });
    const probe = await openProbe(portOf(proxy.listen));
    await roundTripMs(probe, 'up');
    await proxy.update({ enabled: false } as never);
    expect(await probe.closed).toMatchObject({ code: undefined, ended: true });
    expect(await tryConnect(portOf(proxy.listen))).toBe('ECONNREFUSED');
    const again = await proxy.update({ enabled: true } as never);
    expect(again.listen).toBe(proxy.listen);
    expect((await proxy.getToxic('n')).name).toBe('n');
    const probe2 = await openProbe(portOf(proxy.listen));
    expect(await roundTripMs(probe2, 'back')).toBeLessThan(1000);
    probe2.socket.destroy();
  });
});

describe('overhead', () => {
  let http: Server;
  let httpPort: number;

  beforeAll(async () => {
    http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpPort = (http.address() as { port: number }).port;
  });

  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });

  async function meanMs(client: Client, n: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await client.request({ path: '/', method: 'GET' });
      await res.body.text();
      total += performance.now() - t0;
    }
    return total / n;
  }

  it('adds < 0.3 ms mean per keep-alive request without toxics', async () => {
    const proxy = await control.client.createProxy({ name: control.name('overhead'), listen: '127.0.0.1:0', upstream: `127.0.0.1:${httpPort}` });
    const direct = new Client(`http://127.0.0.1:${httpPort}`);
    const proxied = new Client(`http://127.0.0.1:${portOf(proxy.listen)}`);
    await meanMs(direct, 200);
    await meanMs(proxied, 200);
    // Interleaved rounds so drift in machine load hits both sides alike.
    const d: number[] = [];
    const p: number[] = [];
    for (let round = 0; round < 10; round++) {
      d.push(await meanMs(direct, 100));
      p.push(await meanMs(proxied, 100));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const addedMs = median(p) - median(d);
    expect(addedMs, `direct ${median(d).toFixed(3)} ms, proxied ${median(p).toFixed(3)} ms`).toBeLessThan(0.3);
    await direct.close();
    await proxied.close();
  });
});
