/**
 * `tokenstorm probe` from the outside: the built binary against the embedded IdP, against a
 * deliberately broken IdP started by `tokenstorm idp --mode` in its own process, exit codes 0/4/2/3,
 * the findings table and the three report files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/schema.ts';
import { BIN, type CliResult, NODE, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-probe-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: dir, timeoutMs: 90_000 });

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  return lines[0]!;
}

async function onlyReport(out: string): Promise<{ report: Report; files: string[]; runDir: string }> {
  const runs = await readdir(join(dir, out));
  expect(runs).toHaveLength(1);
  const runDir = join(dir, out, runs[0]!);
  const files = (await readdir(runDir)).sort();
  return { report: JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')) as Report, files, runDir };
}

describe('tokenstorm probe (CLI)', () => {
  it('correct embedded IdP: table, no finding at or above high, exit 0, three reports', async () => {
    const r = await cli(['probe', '--out', 'ok', '--only', 'P1,P2,P8,P9,iss,P14']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^P1 +critical +pass +wrong code_verifier$/m);
    expect(r.stdout).toMatch(/^P14 +info +FINDING +same code_challenge/m);
    expect(r.stdout).toMatch(/^result +PASS$/m);
    // The probe run scans its own outputs for every secret it handled (codes, verifiers, tokens, cookies).
    const exposure = /^exposure +0 of (\d+) secrets handled found in the written outputs$/m.exec(r.stdout);
    expect(Number(exposure?.[1])).toBeGreaterThan(30);
    const { report, files, runDir } = await onlyReport('ok');
    expect(files).toEqual(['junit.xml', 'report.html', 'report.json']);
    expect(report.probes?.map((p) => p.probe)).toEqual(['P1', 'P2', 'P8', 'P9', 'P14', 'iss']);
    expect(report.findings?.map((f) => f.probe)).toEqual(['P14']);
    const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
    expect(junit.match(/classname="tokenstorm\.probes"/g)).toHaveLength(6);
    expect(junit).not.toMatch(/<failure/);
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html).toMatch(/<span class="badge sev-info">info<\/span>/);
  }, 120_000);

  it('--idp-mode reusable-codes: critical findings, exit 4, JUnit failures typed by severity', async () => {
    const r = await cli(['probe', '--out', 'reuse', '--only', 'P8,P9', '--idp-mode', 'reusable-codes', '--json']);
    expect(r.code).toBe(4);
    const printed = JSON.parse(r.stdout) as Report;
    expect(printed.findings?.map((f) => [f.probe, f.severity])).toEqual([
      ['P8', 'critical'],
      ['P9', 'critical'],
    ]);
    expect(r.stderr).toMatch(/^result +FAIL: 2 security finding\(s\) at or above high$/m);
    const { runDir } = await onlyReport('reuse');
    const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<failure message="critical: [^"]*" type="critical">/g)).toHaveLength(2);
  }, 120_000);

  it('--fail-on decides: medium findings exit 0 by default and 4 with --fail-on medium', async () => {
    const args = ['probe', '--only', 'P5,discovery-methods', '--idp-mode', 'accept-plain', '--quiet'];
    const byDefault = await cli([...args, '--out', 'plain-default']);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toBe('');
    const strict = await cli([...args, '--out', 'plain-medium', '--fail-on', 'medium']);
    expect(strict.code).toBe(4);
    const { report } = await onlyReport('plain-medium');
    expect(report.findings?.map((f) => f.probe)).toEqual(['P5', 'discovery-methods']);
    expect(report.findingsFailOn).toBe('medium');
  }, 120_000);

  it('a broken IdP from `tokenstorm idp --mode` in its own process, probed via --issuer: exit 4', async () => {
    const idp: ChildProcess = spawn(NODE, [BIN, 'idp', '--mode', 'accept-any-verifier'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const issuer = await new Promise<string>((res, rej) => {
        let out = '';
        const timer = setTimeout(() => rej(new Error(`idp did not start: ${out}`)), 30_000);
        idp.stdout!.on('data', (d) => {
          out += d;
          const m = /issuer +(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m && /mode +accept-any-verifier/.test(out)) {
            clearTimeout(timer);
            res(m[1]!);
          }
        });
      });
      const scenario = join(dir, 'remote.json');
      await writeFile(scenario, JSON.stringify({ name: 'remote', load: { ratePerSec: 1, duration: '1s' }, target: { issuer, clientId: 'tokenstorm', redirectUri: `${issuer}/cb` } }));
      const r = await cli(['probe', scenario, '--out', 'remote', '--only', 'P1,P11,P13']);
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(/^P1 +critical +FINDING +wrong code_verifier: tokens were issued/m);
      // A remote IdP does not tell its code lifetime or a second client: skipped with the reason.
      expect(r.stdout).toMatch(/^P11 +medium +skipped .*code lifetime is unknown \(set probes\.codeTtlSec/m);
      expect(r.stdout).toMatch(/^P13 +critical +skipped .*no second client/m);
      const { report } = await onlyReport('remote');
      expect(report.target).toMatchObject({ kind: 'remote', issuer });
    } finally {
      idp.kill('SIGTERM');
    }
  }, 120_000);

  it('bad input: one line, exit 2', async () => {
    expect(oneLine((await cli(['probe', '--fail-on', 'severe'])).stderr)).toBe(
      "tokenstorm: --fail-on must be one of critical, high, medium, low, info (got 'severe') (see --help)",
    );
    const unknown = await cli(['probe', '--only', 'P1,P99']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toMatch(/^tokenstorm: unknown probe id "P99" \(one of P1, P2, /);
    const notLoopback = await cli(['probe', '--issuer', 'http://example.com']);
    expect(notLoopback.code).toBe(2);
    expect(oneLine(notLoopback.stderr)).toMatch(/--issuer/);
    const mode = await cli(['probe', '--idp-mode', 'evil']);
    expect(mode.code).toBe(2);
    expect(oneLine(mode.stderr)).toMatch(/--mode must be one of reject-s256, accept-any-verifier/);
  }, 120_000);

  it('unreachable issuer: one line, exit 3', async () => {
    const scenario = join(dir, 'down.json');
    await writeFile(scenario, JSON.stringify({ load: { ratePerSec: 1, duration: '1s' }, target: { issuer: 'http://127.0.0.1:9', clientId: 'c', redirectUri: 'http://127.0.0.1:9/cb' } }));
    const r = await cli(['probe', scenario, '--out', 'down']);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/^tokenstorm: cannot reach issuer http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
  }, 60_000);
});
