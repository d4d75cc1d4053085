/**
 * tokenstorm against a hostile target, from the outside (issue 15): the built CLI runs a tiny
 * scenario against each mode of test/integration/hostile/hostile-idp.ts. For each: the run ends
 * (generous time bound), its memory stays bounded (generous RSS bound), the report is written with
 * the right failure class and exit code, and no secret the flow handled appears in any output
 * file or stream, nor any terminal control sequence.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/schema.ts';
import { CLIENT_ID, type HostileIdp, type HostileMode, PASSWORD, REDIRECT_URI, startHostileIdp } from './hostile-idp.ts';

const root = resolve(import.meta.dirname, '../../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/tokenstorm.js');
// Generous: a run of 2 s of load and 2 s request deadlines ends in seconds on an idle machine.
const RUN_BOUND_MS = 90_000;
// Generous: a run like this takes ~100 MB; the unbounded reads it replaces took 1.7–2.9 GB.
const RSS_BOUND_MB = 600;
const FAILED_FLOWS = 'flow:rate(failed)<0.01';

let dir: string;
let scenario: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-hostile-'));
  scenario = join(dir, 'tiny.json');
  await writeFile(
    scenario,
    JSON.stringify({
      name: 'hostile',
      load: { ratePerSec: 4, duration: '2s', requestTimeout: '2s', connectTimeout: '1s' },
      target: { clientId: CLIENT_ID, redirectUri: REDIRECT_URI, password: PASSWORD },
    }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** Peak resident set of the CLI process (VmHWM), MB; 0 when /proc is not there. */
  peakRssMb: number;
}

async function peakRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function cli(args: string[], onSpawn?: (c: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(node, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (child.pid) void peakRss(child.pid).then((mb) => (peak = Math.max(peak, mb)));
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_BOUND_MS + 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolvePromise({ code, signal, stdout, stderr, elapsedMs: performance.now() - t0, peakRssMb: peak });
    });
    onSpawn?.(child);
  });
}

interface RunOutput extends CliResult {
  report: Report | null;
  /** Every output: stdout, stderr and each file written. */
  texts: Array<[string, string]>;
}

async function runAgainst(idp: HostileIdp, mode: string, extra: string[] = [], onSpawn?: (c: ChildProcess) => void): Promise<RunOutput> {
  const out = join(dir, mode);
  const r = await cli(['run', scenario, '--issuer', idp.issuer, '--direct', '--out', out, '--json', '--threshold', FAILED_FLOWS, ...extra], onSpawn);
  const texts: Array<[string, string]> = [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ];
  let report: Report | null = null;
  const runs = await readdir(out).catch(() => [] as string[]);
  for (const run of runs) {
    for (const f of await readdir(join(out, run))) {
      const text = await readFile(join(out, run, f), 'utf8');
      texts.push([`${run}/${f}`, text]);
      if (f === 'report.json') report = JSON.parse(text) as Report;
    }
  }
  return { ...r, report, texts };
}

function expectNoSecrets(idp: HostileIdp, texts: Array<[string, string]>): void {
  expect(idp.secrets.size).toBeGreaterThan(1);
  for (const [name, text] of texts) {
    for (const s of idp.secrets) {
      if (s.length < 6) continue;
      expect(text.includes(s), `${name} contains a secret (${s.slice(0, 4)}…)`).toBe(false);
    }
    expect(/[\u001b\u009b]/.test(text), `${name} contains a terminal control sequence`).toBe(false);
  }
}

function expectBounded(r: CliResult): void {
  expect(r.elapsedMs).toBeLessThan(RUN_BOUND_MS);
  expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
  expect(r.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
}

const CASES: Array<{ mode: HostileMode; failureClass: string; evidence?: RegExp }> = [
  { mode: 'huge-body', failureClass: 'bad_response', evidence: /body over 1048576 bytes/ },
  { mode: 'endless-body', failureClass: 'bad_response', evidence: /body over 1048576 bytes/ },
  { mode: 'trickle-body', failureClass: 'timeout_response', evidence: /no complete response within 2000 ms/ },
  { mode: 'reset', failureClass: 'connection_reset' },
  { mode: 'forged-signature', failureClass: 'id_token_invalid', evidence: /signature does not verify/ },
  { mode: 'alg-none', failureClass: 'id_token_invalid', evidence: /id_token rejected/ },
  { mode: 'missing-id-token', failureClass: 'id_token_invalid', evidence: /no id_token although the scope has openid/ },
];

describe('tokenstorm run against a hostile target (CLI)', () => {
  it('control: a well-behaved target passes, every ID token verified', async () => {
    const idp = await startHostileIdp('ok');
    try {
      const r = await runAgainst(idp, 'ok');
      expectBounded(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.report!.flows.completed).toBeGreaterThan(0);
      expect(r.report!.flows.failed).toBe(0);
      expectNoSecrets(idp, r.texts);
    } finally {
      await idp.close();
    }
  });

  it.each(CASES)('$mode: ends, bounded memory, report with $failureClass, exit 1, no secret', async ({ mode, failureClass, evidence }) => {
    const idp = await startHostileIdp(mode);
    try {
      const r = await runAgainst(idp, mode);
      expectBounded(r);
      expect(r.code, r.stderr).toBe(1);
      expect(r.report, 'report.json written').not.toBeNull();
      const failures = r.report!.failures as Record<string, number>;
      expect(failures[failureClass] ?? 0, JSON.stringify(failures)).toBeGreaterThan(0);
      expect(r.report!.flows.completed).toBe(0);
      if (evidence) {
        const kept = r.report!.failureEvidence.filter((e) => e.failureClass === failureClass).map((e) => e.description ?? '');
        expect(kept.some((d) => evidence.test(d)), kept.join(' | ')).toBe(true);
      }
      expectNoSecrets(idp, r.texts);
    } finally {
      await idp.close();
    }
  });

  it('echo-secrets: codes, verifiers, password and cookies echoed in every error field and page never reach an output', async () => {
    const idp = await startHostileIdp('echo-secrets');
    try {
      const r = await runAgainst(idp, 'echo-secrets');
      expectBounded(r);
      expect(r.code, r.stderr).toBe(1);
      expect(r.report!.failureEvidence.length).toBeGreaterThan(0);
      // The evidence is still there, with the secrets replaced.
      expect(r.texts.find(([n]) => n.endsWith('report.json'))![1]).toContain('[redacted]');
      expectNoSecrets(idp, r.texts);
    } finally {
      await idp.close();
    }
  });

  it('trickling discovery: start-up obeys the request deadline → exit 3, one line', async () => {
    const idp = await startHostileIdp('trickle-discovery');
    try {
      const r = await runAgainst(idp, 'trickle-discovery');
      expectBounded(r);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot reach issuer .*ERR_DEADLINE_EXCEEDED/);
    } finally {
      await idp.close();
    }
  });

  it('an issuer with ANSI sequences: exit 3, the message names it without the control sequence', async () => {
    const idp = await startHostileIdp('ansi-issuer');
    try {
      const r = await runAgainst(idp, 'ansi-issuer');
      expectBounded(r);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/names a different issuer/);
      expectNoSecrets(idp, r.texts);
    } finally {
      await idp.close();
    }
  });

  it('SIGHUP stops the run like SIGINT: partial report written, exit 130', async () => {
    const idp = await startHostileIdp('trickle-body');
    try {
      const long = join(dir, 'long.json');
      await writeFile(
        long,
        JSON.stringify({
          load: { ratePerSec: 4, duration: '60s', requestTimeout: '2s' },
          target: { clientId: CLIENT_ID, redirectUri: REDIRECT_URI, password: PASSWORD },
        }),
      );
      const out = join(dir, 'sighup');
      const r = await cli(['run', long, '--issuer', idp.issuer, '--direct', '--out', out, '--quiet'], (child) => {
        // Once load runs (the IdP has seen a token request), hang up.
        const t = setInterval(() => {
          if ((idp.hits.get('/token') ?? 0) > 0) {
            clearInterval(t);
            child.kill('SIGHUP');
          }
        }, 50);
        child.on('close', () => clearInterval(t));
      });
      expect(r.code, r.stderr).toBe(130);
      expect(r.elapsedMs).toBeLessThan(RUN_BOUND_MS);
      const [run] = await readdir(out);
      const report = JSON.parse(await readFile(join(out, run!, 'report.json'), 'utf8')) as Report;
      expect(report.partial).toBe(true);
    } finally {
      await idp.close();
    }
  });
});
