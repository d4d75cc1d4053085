/**
 * Toxiproxy 2.12 semantics that the embedded server once got wrong (issue 15), pinned on both
 * servers: restarts of a direction's toxics, populate with duplicates and partial failures, stream
 * names echoed as given, and decode errors naming the Go types. Behaviour only: where time matters
 * the margins are seconds wide (a 10 s latency either holds data or it does not).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Control,
  type EchoServer,
  errorBody,
  openProbe,
  portOf,
  raw,
  sleep,
  startControl,
  startTcpServer,
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

/** Long enough that "held" and "released" cannot be confused on any machine. */
const HOLD_MS = 10_000;

async function proxyWithHeldChunk(prefix: string) {
  const name = control.name(prefix);
  const proxy = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
  await proxy.addToxic({ name: 'hold', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: HOLD_MS, jitter: 0 } });
  const probe = await openProbe(portOf(proxy.listen));
  probe.socket.write('held');
  await sleep(200);
  expect(probe.received().length).toBe(0);
  return { name, proxy, probe };
}

describe('restarting a direction’s toxics', () => {
  it('updating a latency toxic releases the chunk it holds at once', async () => {
    const { name, probe } = await proxyWithHeldChunk('restart-upd');
    const res = await raw(control.url, 'POST', `/proxies/${name}/toxics/hold`, { attributes: { latency: HOLD_MS } });
    expect(res.status).toBe(200);
    expect((await probe.waitBytes(4, HOLD_MS / 2)).toString()).toBe('held');
    // The restarted toxic still delays what comes next.
    probe.socket.write('next');
    await sleep(200);
    expect(probe.received().toString()).toBe('held');
    probe.socket.destroy();
  });

  it('adding a toxic after it in the same direction releases the held chunk too', async () => {
    const { proxy, probe } = await proxyWithHeldChunk('restart-add');
    await proxy.addToxic({ name: 'after', type: 'noop' as never, stream: 'downstream', toxicity: 1, attributes: {} });
    expect((await probe.waitBytes(4, HOLD_MS / 2)).toString()).toBe('held');
    probe.socket.destroy();
  });

  it('adding a toxic in the other direction leaves it holding', async () => {
    const { proxy, probe } = await proxyWithHeldChunk('restart-other');
    await proxy.addToxic({ name: 'up', type: 'noop' as never, stream: 'upstream', toxicity: 1, attributes: {} });
    await sleep(300);
    expect(probe.received().length).toBe(0);
    probe.socket.destroy();
  });

  it('redraws toxicity on update: toxicity 0 turns a held latency off for the open connection', async () => {
    const { name, probe } = await proxyWithHeldChunk('restart-tox');
    await raw(control.url, 'POST', `/proxies/${name}/toxics/hold`, { toxicity: 0 });
    await probe.waitBytes(4, HOLD_MS / 2);
    probe.socket.write('free');
    expect((await probe.waitBytes(8, HOLD_MS / 2)).toString()).toBe('heldfree');
    probe.socket.destroy();
  });
});

describe('populate', () => {
  it('accepts duplicate names with 201: both listed, the last one wins', async () => {
    const name = control.name('popdup');
    const other = await startTcpServer();
    const res = await raw(control.url, 'POST', '/populate', [
      { name, listen: '127.0.0.1:0', upstream: echo.upstream },
      { name, listen: '127.0.0.1:0', upstream: other.upstream },
    ]);
    expect(res.status).toBe(201);
    const listed = JSON.parse(res.text).proxies as { name: string; upstream: string; enabled: boolean }[];
    expect(listed.map((p) => [p.name, p.upstream, p.enabled])).toEqual([
      [name, echo.upstream, false],
      [name, other.upstream, true],
    ]);
    expect(JSON.parse((await raw(control.url, 'GET', `/proxies/${name}`)).text)).toMatchObject({ upstream: other.upstream, enabled: true });
    await other.close();
  });

  it('returns the proxies created before a failure, and creates none after it', async () => {
    const [first, second, third] = [control.name('poppart1'), control.name('poppart2'), control.name('poppart3')];
    const res = await raw(control.url, 'POST', '/populate', [
      { name: first, listen: '127.0.0.1:0', upstream: echo.upstream },
      { name: second, listen: echo.upstream, upstream: echo.upstream }, // the port is taken: bind fails
      { name: third, listen: '127.0.0.1:0', upstream: echo.upstream },
    ]);
    expect(res.status).toBe(500);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ error: `listen tcp ${echo.upstream}: bind: address already in use`, status: 500 });
    expect(body.proxies.map((p: { name: string }) => p.name)).toEqual([first]);
    expect((await raw(control.url, 'GET', `/proxies/${first}`)).status).toBe(200);
    expect((await raw(control.url, 'GET', `/proxies/${third}`)).status).toBe(404);
  });
});

describe('stream names', () => {
  it('echoes a stream given as "UPSTREAM" unchanged, and applies it upstream', async () => {
    const name = control.name('stream');
    const proxy = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const res = await raw(control.url, 'POST', `/proxies/${name}/toxics`, { type: 'latency', stream: 'UPSTREAM', attributes: { latency: HOLD_MS } });
    expect(JSON.parse(res.text)).toEqual({ attributes: { latency: HOLD_MS, jitter: 0 }, name: 'latency_UPSTREAM', type: 'latency', stream: 'UPSTREAM', toxicity: 1 });
    const down = await raw(control.url, 'POST', `/proxies/${name}/toxics`, { type: 'noop', stream: 'Downstream' });
    expect(JSON.parse(down.text)).toMatchObject({ name: 'noop_Downstream', stream: 'Downstream' });
    const listed = JSON.parse((await raw(control.url, 'GET', `/proxies/${name}/toxics`)).text) as { name: string; stream: string }[];
    expect(listed.map((t) => [t.name, t.stream])).toEqual([
      ['latency_UPSTREAM', 'UPSTREAM'],
      ['noop_Downstream', 'Downstream'],
    ]);
    // Upstream: the client's bytes are held before they reach the echo server.
    const probe = await openProbe(portOf(proxy.listen));
    probe.socket.write('x');
    await sleep(300);
    expect(probe.received().length).toBe(0);
    probe.socket.destroy();
  });
});

describe('decode errors name the Go types', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['create proxy', '/proxies', { name: 5 }, 'json: cannot unmarshal number into Go struct field Proxy.name of type string'],
    ['create proxy', '/proxies', { name: 'x', upstream: '127.0.0.1:1', enabled: 'yes' }, 'json: cannot unmarshal string into Go struct field Proxy.enabled of type bool'],
    ['populate', '/populate', { a: 1 }, 'json: cannot unmarshal object into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'],
    ['populate', '/populate', [1], 'json: cannot unmarshal number into Go value of type struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'],
    ['populate', '/populate', [{ name: 5 }], 'json: cannot unmarshal number into Go struct field .Proxy.name of type string'],
    ['populate', '/populate', [{ name: 'p', upstream: '127.0.0.1:1', enabled: 'x' }], 'json: cannot unmarshal string into Go struct field .enabled of type bool'],
  ];
  for (const [what, path, body, message] of cases) {
    it(`${what} ${JSON.stringify(body)}`, async () => {
      const res = await raw(control.url, 'POST', path, body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({ error: `bad request body: ${message}`, status: 400 });
    });
  }

  const toxicCases: Array<[unknown, string]> = [
    [{ type: 'latency', toxicity: 'x' }, 'json: cannot unmarshal string into Go struct field ToxicWrapper.toxicity of type float32'],
    [{ type: 'latency', toxicity: true }, 'json: cannot unmarshal bool into Go struct field ToxicWrapper.toxicity of type float32'],
    [{ type: 'latency', attributes: 'x' }, 'json: cannot unmarshal string into Go struct field ToxicWrapper.attributes of type toxics.NoopToxic'],
    [{ type: 'latency', attributes: { latency: 'x' } }, 'json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64'],
    [{ type: 'latency', attributes: { jitter: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.jitter of type int64'],
    [{ type: 'bandwidth', attributes: { rate: 'x' } }, 'json: cannot unmarshal string into Go struct field BandwidthToxic.attributes.rate of type int64'],
    [{ type: 'slicer', attributes: { delay: 'x' } }, 'json: cannot unmarshal string into Go struct field SlicerToxic.attributes.delay of type int'],
    [{ type: 'slow_close', attributes: { delay: true } }, 'json: cannot unmarshal bool into Go struct field SlowCloseToxic.attributes.delay of type int64'],
    [{ type: 'timeout', attributes: { timeout: [] } }, 'json: cannot unmarshal array into Go struct field TimeoutToxic.attributes.timeout of type int64'],
    [{ type: 'reset_peer', attributes: { timeout: 'x' } }, 'json: cannot unmarshal string into Go struct field ResetToxic.attributes.timeout of type int64'],
    [{ type: 'limit_data', attributes: { bytes: {} } }, 'json: cannot unmarshal object into Go struct field LimitDataToxic.attributes.bytes of type int64'],
  ];
  it('create toxic: every toxic type', async () => {
    const name = control.name('gotypes');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    for (const [body, message] of toxicCases) {
      const res = await raw(control.url, 'POST', `/proxies/${name}/toxics`, body);
      expect({ body, status: res.status, text: res.text }).toEqual({ body, status: 400, text: errorBody(`bad request body: ${message}`, 400) });
    }
  });

  it('update toxic: an anonymous struct', async () => {
    const name = control.name('gotypesupd');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    await raw(control.url, 'POST', `/proxies/${name}/toxics`, { type: 'latency', name: 'l' });
    const path = `/proxies/${name}/toxics/l`;
    const updates: Array<[unknown, string]> = [
      [{ toxicity: 'x' }, 'json: cannot unmarshal string into Go struct field .toxicity of type float32'],
      [{ attributes: 'x' }, 'json: cannot unmarshal string into Go struct field .attributes of type toxics.LatencyToxic'],
      [{ attributes: { latency: 'x' } }, 'json: cannot unmarshal string into Go struct field LatencyToxic.attributes.latency of type int64'],
      [[1], 'json: cannot unmarshal array into Go value of type struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }'],
    ];
    for (const [body, message] of updates) {
      const res = await raw(control.url, 'POST', path, body);
      expect({ body, status: res.status, text: res.text }).toEqual({ body, status: 400, text: errorBody(`bad request body: ${message}`, 400) });
    }
  });
});
