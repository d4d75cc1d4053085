/**
 * The Toxiproxy HTTP API: status codes, exact error bodies, defaults, merge and populate rules.
 * Runs against the embedded server, or a real Toxiproxy when TOXIPROXY_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Control,
  type EchoServer,
  errorBody,
  openProbe,
  portOf,
  REAL,
  raw,
  roundTripMs,
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

const TEXT = 'text/plain; charset=utf-8';

async function expectError(
  call: Promise<{ status: number; contentType: string | null; text: string }>,
  status: number,
  message: string,
): Promise<void> {
  const res = await call;
  expect({ status: res.status, text: res.text }).toEqual({ status, text: errorBody(message, status) });
  expect(res.contentType).toBe(TEXT);
}

describe('routing and errors', () => {
  it('answers unknown paths with 404 page not found', async () => {
    const res = await raw(control.url, 'GET', '/nope');
    expect(res).toEqual({ status: 404, contentType: TEXT, text: '404 page not found\n' });
    expect((await raw(control.url, 'GET', '/proxies/a/b')).status).toBe(404);
  });

  it('answers a wrong method on a known path with an empty 405', async () => {
    for (const [method, path] of [
      ['PUT', '/proxies'],
      ['DELETE', '/proxies'],
      ['GET', '/reset'],
      ['POST', '/version'],
      ['PATCH', '/proxies'],
    ] as const) {
      const res = await raw(control.url, method, path);
      expect({ method, path, status: res.status, text: res.text }).toEqual({ method, path, status: 405, text: '' });
    }
  });

  it('rejects browsers with 403', async () => {
    const res = await raw(control.url, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0 (X11)' });
    expect(res).toEqual({ status: 403, contentType: TEXT, text: 'User agent not allowed\n' });
  });

  it('reports a JSON version', async () => {
    const res = await raw(control.url, 'GET', '/version');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({ version: expect.any(String) });
    expect(JSON.parse(await control.client.getVersion()).version).toEqual(expect.any(String));
  });
});

describe('proxies', () => {
  it('lists {} when there are none', async () => {
    if (REAL) return; // a shared real server may hold other proxies
    expect(await raw(control.url, 'GET', '/proxies')).toEqual({ status: 200, contentType: 'application/json', text: '{}' });
  });

  it('creates with 201, defaults enabled, resolves port 0 and keeps it across disable/enable', async () => {
    const name = control.name('create');
    const res = await raw(control.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: echo.upstream, x: 1 });
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text);
    // Real Toxiproxy 2.12 also serialises its (empty) zerolog `Logger`; nothing else may differ.
    expect(Object.keys(body).filter((k) => !(REAL && k === 'Logger'))).toEqual(['name', 'listen', 'upstream', 'enabled', 'toxics']);
    expect(body).toMatchObject({ name, upstream: echo.upstream, enabled: true, toxics: [] });
    expect(body.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(body.listen)).toBeGreaterThan(0);

    const proxy = await control.client.get(name);
    expect(proxy.listen).toBe(body.listen);
    const disabled = await proxy.update({ enabled: false } as never);
    expect(disabled).toMatchObject({ enabled: false, listen: body.listen });
    expect(await tryConnect(portOf(body.listen))).toBe('ECONNREFUSED');
    const enabled = await proxy.update({ enabled: true } as never);
    expect(enabled).toMatchObject({ enabled: true, listen: body.listen });
    const probe = await openProbe(portOf(body.listen));
    await roundTripMs(probe, 'hello');
    expect(probe.received().toString()).toBe('hello');
    probe.socket.destroy();

    const all = await control.client.getAll();
    expect(all[name]?.listen).toBe(body.listen);
  });

  it('rejects missing fields, bad bodies and duplicates with exact messages', async () => {
    await expectError(raw(control.url, 'POST', '/proxies', { upstream: echo.upstream }), 400, 'missing required field: name');
    await expectError(raw(control.url, 'POST', '/proxies', { name: 'x' }), 400, 'missing required field: upstream');
    const bad = await raw(control.url, 'POST', '/proxies', '{"name":');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/^bad request body: /);
    const name = control.name('dup');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    await expectError(
      raw(control.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: echo.upstream }),
      409,
      'proxy already exists',
    );
  });

  it('answers a bind failure with 500 and does not store the proxy', async () => {
    const name = control.name('bind');
    const res = await raw(control.url, 'POST', '/proxies', { name, listen: echo.upstream, upstream: echo.upstream });
    expect(res.status).toBe(500);
    expect(res.contentType).toBe(TEXT);
    expect(JSON.parse(res.text)).toEqual({ error: expect.stringContaining('address already in use'), status: 500 });
    await expectError(raw(control.url, 'GET', `/proxies/${name}`), 404, 'proxy not found');
  });

  it('404s every call on a missing proxy or toxic', async () => {
    await expectError(raw(control.url, 'GET', '/proxies/missing'), 404, 'proxy not found');
    await expectError(raw(control.url, 'DELETE', '/proxies/missing'), 404, 'proxy not found');
    await expectError(raw(control.url, 'PATCH', '/proxies/missing', {}), 404, 'proxy not found');
    await expectError(raw(control.url, 'GET', '/proxies/missing/toxics'), 404, 'proxy not found');
    const name = control.name('notoxic');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
      const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
      await expectError(raw(control.url, method, `/proxies/${name}/toxics/nope`, body), 404, 'toxic not found');
    }
  });

  it('updates partially (same values are a no-op), deletes with 204', async () => {
    const name = control.name('upd');
    const created = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const probe = await openProbe(portOf(created.listen));
    const same = await raw(control.url, 'PATCH', `/proxies/${name}`, { listen: created.listen, upstream: echo.upstream });
    expect(same.status).toBe(200);
    expect(JSON.parse(same.text)).toMatchObject({ listen: created.listen, enabled: true });
    expect(await roundTripMs(probe, 'still open')).toBeLessThan(1000); // no restart: connection kept
    probe.socket.destroy();
    expect((await raw(control.url, 'DELETE', `/proxies/${name}`)).status).toBe(204);
    await expectError(raw(control.url, 'GET', `/proxies/${name}`), 404, 'proxy not found');
    expect(await tryConnect(portOf(created.listen))).toBe('ECONNREFUSED');
  });
});

describe('toxics', () => {
  it('defaults name, stream and toxicity and shows zero attributes', async () => {
    const name = control.name('tox');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const res = await raw(control.url, 'POST', `/proxies/${name}/toxics`, { type: 'latency' });
    expect(res.status).toBe(200);
    const toxic = JSON.parse(res.text);
    expect(toxic).toEqual({
      attributes: { latency: 0, jitter: 0 },
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
    });
    const up = JSON.parse((await raw(control.url, 'POST', `/proxies/${name}/toxics`, { type: 'slicer', stream: 'upstream', attributes: { average_size: 10 } })).text);
    expect(up).toMatchObject({ name: 'slicer_upstream', stream: 'upstream', attributes: { average_size: 10, size_variation: 0, delay: 0 } });
  });

  it('rejects bad toxics with exact messages', async () => {
    const name = control.name('badtox');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const path = `/proxies/${name}/toxics`;
    await expectError(raw(control.url, 'POST', path, { type: 'down' }), 400, 'invalid toxic type');
    await expectError(raw(control.url, 'POST', path, { type: 'latency', stream: 'sideways' }), 400, 'stream was invalid, can be either upstream or downstream');
    await raw(control.url, 'POST', path, { type: 'latency' });
    // Names are unique across both streams.
    await expectError(raw(control.url, 'POST', path, { type: 'latency', name: 'latency_downstream', stream: 'upstream' }), 409, 'toxic already exists');
  });

  // Deliberate difference: real Toxiproxy 2.12.0 accepts both and then panics (bandwidth: slice
  // bounds out of range; slicer: unbounded recursion), taking down every proxy. The embedded
  // server refuses them with 400 instead, so this case runs against the embedded server only.
  it.skipIf(REAL)('refuses the inputs that crash real Toxiproxy 2.12 (bandwidth rate -1, slicer average_size 0)', async () => {
    const name = control.name('crash');
    await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const path = `/proxies/${name}/toxics`;
    await expectError(raw(control.url, 'POST', path, { type: 'bandwidth', attributes: { rate: -1 } }), 400, 'bad request body: rate must be >= 0');
    await expectError(raw(control.url, 'POST', path, { type: 'slicer', attributes: { average_size: 0 } }), 400, 'bad request body: average_size must be > 0');
    expect((await raw(control.url, 'GET', path)).text).toBe('[]');
  });

  it('lists upstream toxics first, each stream in insertion order', async () => {
    const name = control.name('order');
    const proxy = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    for (const [toxic, stream] of [['d1', 'downstream'], ['u1', 'upstream'], ['d2', 'downstream'], ['u2', 'upstream']] as const) {
      await proxy.addToxic({ name: toxic, type: 'noop' as never, stream, toxicity: 1, attributes: {} });
    }
    const res = await raw(control.url, 'GET', `/proxies/${name}/toxics`);
    expect(JSON.parse(res.text).map((t: { name: string }) => t.name)).toEqual(['u1', 'u2', 'd1', 'd2']);
    expect((await control.client.get(name)).toJson()).toMatchObject({ name });
  });

  it('merges attributes on update and keeps toxicity when omitted', async () => {
    const name = control.name('merge');
    const proxy = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const toxic = await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 100, jitter: 10 } });
    const updated = await toxic.update({ attributes: { jitter: 5 } } as never);
    expect(updated.toJson()).toEqual({ attributes: { latency: 100, jitter: 5 }, name: 'lat', stream: 'upstream', toxicity: 0.5, type: 'latency' });
    const patched = await raw(control.url, 'PATCH', `/proxies/${name}/toxics/lat`, { toxicity: 1 });
    expect(JSON.parse(patched.text)).toMatchObject({ attributes: { latency: 100, jitter: 5 }, toxicity: 1 });
    expect((await proxy.getToxic('lat')).attributes).toEqual({ latency: 100, jitter: 5 });
    expect((await raw(control.url, 'DELETE', `/proxies/${name}/toxics/lat`)).status).toBe(204);
    expect((await raw(control.url, 'GET', `/proxies/${name}/toxics`)).text).toBe('[]');
  });
});

describe('populate and reset', () => {
  it('answers an empty populate with 201 and proxies null', async () => {
    expect(await raw(control.url, 'POST', '/populate', [])).toMatchObject({ status: 201, text: '{"proxies":null}' });
  });

  it('validates everything before creating anything', async () => {
    const first = control.name('pop');
    const res = await raw(control.url, 'POST', '/populate', [{ name: first, listen: '127.0.0.1:0', upstream: echo.upstream }, { name: 'second' }]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'missing required field: upstream at proxy 2', status: 400 });
    expect((await raw(control.url, 'GET', `/proxies/${first}`)).status).toBe(404);
  });

  it('keeps an identical proxy (toxics too) and replaces a changed one', async () => {
    const keep = control.name('keep');
    const change = control.name('change');
    const created = await control.client.populate([
      { name: keep, listen: '127.0.0.1:0', upstream: echo.upstream },
      { name: change, listen: '127.0.0.1:0', upstream: echo.upstream },
    ]);
    const keepListen = created[keep]!.listen;
    await created[keep]!.addToxic({ name: 'k', type: 'noop' as never, stream: 'downstream', toxicity: 1, attributes: {} });
    await created[change]!.addToxic({ name: 'c', type: 'noop' as never, stream: 'downstream', toxicity: 1, attributes: {} });
    const res = await raw(control.url, 'POST', '/populate', [
      { name: keep, listen: keepListen, upstream: echo.upstream, enabled: false },
      { name: change, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', enabled: false },
    ]);
    expect(res.status).toBe(201);
    const proxies = JSON.parse(res.text).proxies as { name: string; enabled: boolean; toxics: unknown[] }[];
    expect(proxies.map((p) => p.name)).toEqual([keep, change]);
    expect(proxies[0]).toMatchObject({ enabled: true, listen: keepListen, toxics: [{ name: 'k' }] });
    expect(proxies[1]).toMatchObject({ enabled: false, toxics: [] });
  });

  it('reset enables every proxy and removes every toxic; connections stay open', async () => {
    const name = control.name('reset');
    const proxy = await control.client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.upstream });
    const probe = await openProbe(portOf(proxy.listen));
    await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5000, jitter: 0 } });
    const other = control.name('reset2');
    await control.client.createProxy({ name: other, listen: '127.0.0.1:0', upstream: echo.upstream, enabled: false });
    await control.client.reset();
    expect(await roundTripMs(probe, 'after reset')).toBeLessThan(2500);
    expect((await control.client.get(name)).toJson()).toMatchObject({ enabled: true });
    expect(JSON.parse((await raw(control.url, 'GET', `/proxies/${name}/toxics`)).text)).toEqual([]);
    expect((await control.client.get(other)).enabled).toBe(true);
    probe.socket.destroy();
  });
});
