// `tokenstorm faults`: the fault timeline alone, against the embedded Toxiproxy-compatible server
// run as its own process (`tokenstorm proxy`), as a k6 run would use it.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cli, scratch } from '../k6/helpers.ts';

function startProxyProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'proxy', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('tokenstorm proxy did not print its URL within 30 s')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) {
        clearTimeout(timer);
        resolve({ child, url: line.trim() });
      }
    });
    child.once('exit', (code) => reject(new Error(`tokenstorm proxy exited early (${code})`)));
  });
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${r.status}`);
  return (await r.json()) as T;
}

describe('tokenstorm faults (no load) on tokenstorm proxy', () => {
  let proxy: { child: ChildProcess; url: string };
  let upstream: Server;
  let upstreamPort: number;
  let dir: string;
  let scenario: string;

  beforeAll(async () => {
    dir = await scratch('faults');
    upstream = createServer((s) => s.end());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as { port: number }).port;
    proxy = await startProxyProcess();
    scenario = join(dir, 'gd.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'gd-short',
        load: { model: 'open', ratePerSec: 5, duration: '2500ms' },
        faults: [
          { name: 'token-slow', at: '500ms', for: '1s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 300 } } },
          { name: 'skew', at: '1s', for: '500ms', clockSkewMs: 30_000 },
        ],
      }),
    );
  });
  afterAll(async () => {
    proxy?.child.kill('SIGTERM');
    upstream?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--attach: applies and removes the toxic on existing proxies at its time, writes phases.json', async () => {
    for (const route of ['authorize', 'token']) {
      await api(`${proxy.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: `idp-${route}`, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }) });
    }
    const seen: string[][] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const toxics = await api<Array<{ type: string }>>(`${proxy.url}/proxies/idp-token/toxics`).catch(() => []);
        seen.push(toxics.map((t) => t.type));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const res = await cli(['faults', scenario, '--toxiproxy', proxy.url, '--attach', 'idp', '--out', join(dir, 'out')]);
    polling = false;
    await poller;
    expect(res.stderr).toContain("tokenstorm: skipped fault skew: needs the embedded IdP in the same process (run it with 'tokenstorm run')");
    expect(res.code).toBe(0);
    // The toxic was there during the run, and is gone after it; the adopted proxies stay.
    expect(seen.some((types) => types.includes('latency'))).toBe(true);
    expect(seen.at(0)).toEqual([]);
    expect(await api(`${proxy.url}/proxies/idp-token/toxics`)).toEqual([]);
    const phases = JSON.parse(await readFile(join(dir, 'out', 'phases.json'), 'utf8')) as { phases: Array<{ name: string; startedAt: string; endedAt: string; faults: string[] }> };
    expect(phases.phases.map((p) => p.name)).toEqual(['baseline', 'token-slow', 'recovery']);
    expect(phases.phases[1]!.faults).toEqual(['token-slow']);
    const during = Date.parse(phases.phases[1]!.endedAt) - Date.parse(phases.phases[1]!.startedAt);
    expect(during).toBeGreaterThan(500); // 1 s fault; wide margin for a busy machine
  });

  it('--upstream: creates its proxies, prints where they listen, removes them at the end', async () => {
    const res = await cli(['faults', scenario, '--toxiproxy', proxy.url, '--upstream', `127.0.0.1:${upstreamPort}`]);
    expect(res.code).toBe(0);
    const ready = JSON.parse(res.stdout.split('\n')[0]!) as { ready: boolean; routes: Record<string, string> };
    expect(Object.keys(ready.routes).sort()).toEqual(['authorize', 'token']);
    const proxies = await api<Record<string, unknown>>(`${proxy.url}/proxies`);
    expect(Object.keys(proxies).filter((n) => n.startsWith('tokenstorm-faults'))).toEqual([]);
  });

  it('bad usage is one line, exit 2; an unreachable fault server exit 3', async () => {
    const both = await cli(['faults', scenario, '--toxiproxy', proxy.url]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('tokenstorm: pass exactly one of --upstream HOST:PORT (create proxies) or --attach PREFIX (use existing ones) (see --help)\n');
    const remote = await cli(['faults', scenario, '--upstream', '10.1.2.3:80']);
    expect(remote.code).toBe(2);
    const dead = await cli(['faults', scenario, '--toxiproxy', 'http://127.0.0.1:9', '--attach', 'idp']);
    expect(dead.code).toBe(3);
    expect(dead.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(dead.stderr).toMatch(/^tokenstorm: cannot reach Toxiproxy at http:\/\/127\.0\.0\.1:9/);
  });
});
