/**
 * The proxy without toxics: byte-exact, keeps connections, and `enabled:false` really takes it down.
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

describe('keep-alive HTTP', () => {
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

  // How much a proxy adds per request is measured by `tokenstorm bench proxy` (direct vs embedded
  // vs real Toxiproxy): a timing bound here would fail on a busy machine and prove nothing.
  it('carries many keep-alive HTTP requests on one connection without toxics', async () => {
    const proxy = await control.client.createProxy({ name: control.name('keepalive'), listen: '127.0.0.1:0', upstream: `127.0.0.1:${httpPort}` });
    const proxied = new Client(`http://127.0.0.1:${portOf(proxy.listen)}`, { pipelining: 1 });
    let connects = 0;
    proxied.on('connect', () => (connects += 1));
    const bodies: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await proxied.request({ path: '/', method: 'GET' });
      expect(res.statusCode).toBe(200);
      bodies.push(await res.body.text());
    }
    expect(new Set(bodies)).toEqual(new Set(['ok']));
    expect(connects).toBe(1);
    await proxied.close();
  });
});
