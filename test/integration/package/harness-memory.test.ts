/**
 * What a `tokenstorm run` process carries, seen from outside through a preload that writes the
 * process's V8 flags and CommonJS module cache on exit (the bin as users start it, the real
 * embedded IdP). The RSS figures themselves are `bench memory`'s job; this holds the choices that
 * produce them: 2 MB semi-spaces unless the user chose, no dependency index that pulls in unused
 * code, no dependency a plain run does not use, no polyfill where Node has the feature, no verifier
 * thread at a low rate.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/tokenstorm.js');
let dir: string;
let preload: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-harness-memory-'));
  preload = join(dir, 'probe.cjs');
  await writeFile(
    preload,
    // module.registerHooks (Node ≥ 22.15) sees ES modules too; require.cache only CommonJS ones.
    [
      'const loaded = [];',
      "require('module').registerHooks?.({ load(url, context, next) { loaded.push(url); return next(url, context); } });",
      "process.on('exit', () => require('fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify({ execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null, modules: [...Object.keys(require.cache), ...loaded], builtins: process.moduleLoadList })));",
      '',
    ].join('\n'),
  );
  scenario = join(dir, 'tiny.json');
  await writeFile(scenario, JSON.stringify({ name: 'tiny', load: { ratePerSec: 5, duration: '1s' } }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Probe {
  code: number | null;
  stdout: string;
  execArgv: string[];
  arenas: string | null;
  modules: string[];
  builtins: string[];
}

async function probe(args: string[], env: Record<string, string> = {}): Promise<Probe> {
  const out = join(dir, `probe-${Math.random().toString(36).slice(2)}.json`);
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', TOKENSTORM_NO_REEXEC: '' };
  delete base.MALLOC_ARENA_MAX;
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolveRun, reject) => {
    const child = spawn(node, ['--require', preload, bin, ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...base, ...env, PROBE_OUT: out },
    });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolveRun({ code: c, stdout: text });
    });
  });
  return { code, stdout, ...(JSON.parse(await readFile(out, 'utf8')) as { execArgv: string[]; arenas: string | null; modules: string[]; builtins: string[] }) };
}

describe('harness memory choices (bin/tokenstorm.js run, from outside)', () => {
  it('re-executes run with 2 MB semi-spaces and two malloc arenas, keeping the caller’s own Node flags and arena count', async () => {
    const p = await probe(['run', scenario, '--dry-run']);
    expect(p.code).toBe(0);
    expect(p.execArgv).toContain('--max-semi-space-size=2');
    expect(p.execArgv).toContain('--require');
    expect(p.arenas).toBe('2');
    const own = await probe(['run', scenario, '--dry-run'], { MALLOC_ARENA_MAX: '4' });
    expect(own.execArgv).toContain('--max-semi-space-size=2');
    expect(own.arenas).toBe('4');
  });

  it('leaves the young generation alone when the user sized it, or opted out, and for other commands', async () => {
    const own = await probe(['run', scenario, '--dry-run'], { NODE_OPTIONS: '--max-semi-space-size=16' });
    expect(own.code).toBe(0);
    expect(own.execArgv.join(' ')).not.toContain('--max-semi-space-size=2');
    const optOut = await probe(['run', scenario, '--dry-run'], { TOKENSTORM_NO_REEXEC: '1' });
    expect(optOut.execArgv.join(' ')).not.toContain('--max-semi-space-size');
    const other = await probe(['--version']);
    expect(other.execArgv.join(' ')).not.toContain('--max-semi-space-size');
  });

  it('a run at 5 flows/s loads no undici or hdr-histogram-js index, no polyfill and starts no verifier thread', async () => {
    const p = await probe(['run', scenario, '--direct', '--quiet', '--json', '--out', join(dir, 'reports')]);
    expect(p.code).toBe(0);
    const report = JSON.parse(p.stdout) as { flows: { completed: number }; harness: { verifierPool: { workers: number; taken: number; waits: number } } };
    expect(report.flows.completed).toBeGreaterThan(0);
    expect(report.harness.verifierPool).toMatchObject({ workers: 0, waits: 0 });
    expect(report.harness.verifierPool.taken).toBeGreaterThan(0);
    const mods = p.modules.map((m) => m.replaceAll('\\', '/'));
    // The probe sees CommonJS modules: the two single modules the harness requires are there…
    expect(mods.some((m) => m.endsWith('undici/lib/dispatcher/agent.js'))).toBe(true);
    expect(mods.some((m) => m.endsWith('hdr-histogram-js/dist/Int32Histogram.js'))).toBe(true);
    expect(mods.some((m) => m.endsWith('jose/dist/webapi/jwt/verify.js'))).toBe(true);
    // …and what only the indexes (or the polyfill) would load is not.
    expect(mods.filter((m) => /undici\/index\.js$|undici\/lib\/web\/|hdr-histogram-js\/dist\/index\.js$|jose\/dist\/webapi\/index\.js$|disposablestack|es-abstract/.test(m))).toEqual([]);
    // Nor any dependency only other inputs need (YAML or .ts scenarios, reports read back, a
    // progress bar, worker threads, the fault layer, the k6 exporter).
    expect(mods.filter((m) => /node_modules\/(yaml|esbuild|ajv|cli-progress|piscina|toxiproxy-node-client)\//.test(m))).toEqual([]);
    // Nor Node's own bundled undici (fetch, WebSocket), which an ES-module import of node:http loads.
    expect(p.builtins.filter((m) => m.includes('undici'))).toEqual([]);
  });
});
