/**
 * `tokenstorm run --metrics-port N` from the outside: the built binary serves /metrics on
 * 127.0.0.1 while it runs; bad flags are one line and exit 2.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './prometheus-server.ts';

const root = resolve(import.meta.dirname, '../../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/tokenstorm.js');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-metrics-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function cli(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(node, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return {
    done: new Promise((res) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        res({ code, stdout, stderr });
      }),
    ),
  };
}

describe('tokenstorm run --metrics-port (CLI)', () => {
  it('serves Prometheus text on 127.0.0.1 during the run', async () => {
    const port = await freePort();
    const scenario = join(dir, 'short.json');
    await writeFile(scenario, JSON.stringify({ name: 'metrics-cli', load: { ratePerSec: 10, duration: '3s' } }));
    const run = cli(['run', scenario, '--quiet', '--metrics-port', String(port), '--out', join(dir, 'reports')]);
    let exited = false;
    const result = run.done.then((r) => {
      exited = true;
      return r;
    });
    // Scrape like Prometheus would, every 300 ms, until the process ends (it waits for one last scrape).
    let last = '';
    while (!exited) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      );
      if (text) last = text;
      await new Promise((r) => setTimeout(r, 300));
    }
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    expect(last).toContain('# TYPE tokenstorm_flows_total counter');
    expect(last).toMatch(/tokenstorm_flows_total\{outcome="completed"\} 30\b/);
    expect(last).toMatch(/tokenstorm_latency_seconds_bucket\{le="0.001",endpoint="token"\} \d+/);
    expect(last).toContain('tokenstorm_run_info{scenario="metrics-cli",mode="flow",model="open"} 1');
  });

  it('bad --metrics-port, a taken port and a non-loopback --otlp are one line, exit 2', async () => {
    const bad = await cli(['run', 'smoke', '--metrics-port', '99999']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^tokenstorm: --metrics-port must be an integer in 1\.\.65535 \(got '99999'\)/);

    const otlp = await cli(['run', 'smoke', '--otlp', 'http://10.1.2.3:4318/v1/traces']).done;
    expect(otlp.code).toBe(2);
    expect(otlp.stderr).toMatch(/--otlp must be on 127\.0\.0\.1, localhost or \[::1\]/);
    expect(otlp.stderr).not.toMatch(/\bat .*:\d+:\d+\)/);

    const squatter = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as { port: number }).port;
    try {
      const scenario = join(dir, 'taken.json');
      await writeFile(scenario, JSON.stringify({ name: 'taken', load: { ratePerSec: 5, duration: '2s' } }));
      const busy = await cli(['run', scenario, '--quiet', '--metrics-port', String(taken), '--out', join(dir, 'reports')]).done;
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`--metrics-port ${taken}: 127.0.0.1:${taken} is already in use`);
      expect(busy.stderr).not.toMatch(/\bat .*:\d+:\d+\)/);
    } finally {
      squatter.close();
    }
  });
});
