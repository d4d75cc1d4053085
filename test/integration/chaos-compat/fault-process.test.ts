/**
 * The embedded fault server lives in its own process, not on the load generator's event loop:
 * its pid differs, it keeps proxying while the harness's event loop is blocked, it ends on close(),
 * it does not outlive a harness that is killed, and its data-plane replica threads (which share
 * each proxy's port) apply every API change before the API answers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import { startFaultServer } from '../../../src/chaos/fault-server.ts';
import { openProbe, portOf, sleep, startTcpServer, tryConnect } from './helpers.ts';

const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const FAULT_SERVER = fileURLToPath(new URL('../../../src/chaos/fault-server.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

describe('fault server process', () => {
  it('runs in a child process that ends on close()', async () => {
    const faults = await startFaultServer();
    expect(faults.pid).not.toBe(process.pid);
    expect(alive(faults.pid)).toBe(true);
    expect(JSON.parse(await new Toxiproxy(faults.url).getVersion())).toEqual({ version: expect.any(String) });
    await faults.close();
    expect(await waitUntil(() => !alive(faults.pid), 10_000)).toBe(true);
    await expect(fetch(`${faults.url}/version`)).rejects.toThrow();
  });

  it('keeps proxying while the harness event loop is blocked', async () => {
    const faults = await startFaultServer();
    // Client and echo server live in another process; only the proxy's control is here. With the
    // proxy on this event loop, no round trip could complete while this thread spins.
    const script = `
      const net = require('node:net');
      const echo = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
      echo.listen(0, '127.0.0.1', () => console.log('echo ' + echo.address().port));
      process.stdin.once('data', (d) => {
        const port = Number(String(d).trim());
        const times = [];
        const loop = () => {
          const s = net.connect(port, '127.0.0.1', () => s.write('p'));
          s.on('data', () => { times.push(Date.now()); s.destroy(); });
          s.on('error', () => {});
          s.on('close', () => setTimeout(loop, 20));
        };
        loop();
        setTimeout(() => { console.log('times ' + JSON.stringify(times)); process.exit(0); }, 6000);
      });`;
    const client = spawn(NODE, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitUntil(() => /echo \d+\n/.test(out), 15_000)).toBe(true);
    const echoPort = Number(/echo (\d+)/.exec(out)![1]);
    const proxy = await new Toxiproxy(faults.url).createProxy({ name: 'blocked', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` });
    client.stdin.write(`${portOf(proxy.listen)}\n`);
    await sleep(500);
    const spinStart = Date.now();
    const spinEnd = spinStart + 3000;
    while (Date.now() < spinEnd) {
      // Block the harness event loop, as a saturated load generator would.
    }
    expect(await waitUntil(() => out.includes('times '), 15_000)).toBe(true);
    const times = JSON.parse(/times (.*)/.exec(out)![1]!) as number[];
    const during = times.filter((t) => t > spinStart + 100 && t < spinEnd);
    expect(during.length, `${times.length} round trips, none while the harness was blocked`).toBeGreaterThan(0);
    await faults.close();
  });

  it('does not outlive a harness that is killed', async () => {
    const harness = spawn(
      NODE,
      ['--input-type=module', '-e', `const { startFaultServer } = await import(${JSON.stringify(FAULT_SERVER)}); const f = await startFaultServer(); console.log(f.pid);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    harness.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitUntil(() => out.includes('\n'), 15_000)).toBe(true);
    const childPid = Number(out.trim());
    expect(alive(childPid)).toBe(true);
    harness.kill('SIGKILL');
    expect(await waitUntil(() => !alive(childPid), 10_000)).toBe(true);
  });

  it('applies every change on all replica threads before answering', async () => {
    const echo = await startTcpServer();
    const faults = await startFaultServer({ replicas: 3 });
    const client = new Toxiproxy(faults.url);
    const proxy = await client.createProxy({ name: 'replicated', listen: '127.0.0.1:0', upstream: echo.upstream });
    const hold = await proxy.addToxic({ name: 'hold', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10_000, jitter: 0 } });
    // 32 connections land on the four threads by the kernel's hash: every one must hold its data.
    const probes = await Promise.all(Array.from({ length: 32 }, () => openProbe(portOf(proxy.listen))));
    for (const p of probes) p.socket.write('x');
    await sleep(300);
    expect(probes.filter((p) => p.received().length > 0).length).toBe(0);
    await hold.remove();
    await Promise.all(probes.map((p) => p.waitBytes(1, 5000)));
    await proxy.update({ enabled: false } as never);
    const closed = await Promise.all(probes.map((p) => p.closed));
    expect(closed.every((c) => c.ended)).toBe(true);
    for (let i = 0; i < 8; i++) expect(await tryConnect(portOf(proxy.listen))).toBe('ECONNREFUSED');
    await faults.close();
    await echo.close();
  });

  it('refuses a bad replica count', async () => {
    await expect(startFaultServer({ replicas: -1 })).rejects.toThrow('fault server replicas must be an integer in 0..64, got -1');
  });
});

describe('ports shared by replica threads', () => {
  it('still refuses a second proxy on a port another proxy listens on', async () => {
    const faults = await startFaultServer({ replicas: 1 });
    const client = new Toxiproxy(faults.url);
    const first = await client.createProxy({ name: 'first', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const create = await fetch(`${faults.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'second', listen: first.listen, upstream: '127.0.0.1:1' }) });
    expect(create.status).toBe(500);
    expect(await create.json()).toEqual({ error: `listen tcp ${first.listen}: bind: address already in use`, status: 500 });
    const other = await client.createProxy({ name: 'other', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const move = await fetch(`${faults.url}/proxies/other`, { method: 'POST', body: JSON.stringify({ listen: first.listen }) });
    expect(move.status).toBe(500);
    expect(((await (await fetch(`${faults.url}/proxies/other`)).json()) as { listen: string }).listen).toBe(other.listen);
    await faults.close();
  });
});
