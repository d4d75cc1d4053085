/**
 * `tokenstorm capacity` from the outside: the built binary (npm test builds dist/ first), the real
 * embedded IdP, exit codes, the one-line errors, and the knee in report.json and junit.xml.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-capacity-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: dir, timeoutMs: 120_000 });

async function scenario(name: string, body: unknown): Promise<string> {
  const f = join(dir, `${name}.json`);
  await writeFile(f, JSON.stringify(body));
  return f;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  return lines[0]!;
}

describe('tokenstorm capacity (CLI)', () => {
  it('a first step that already breaks says "below the start rate", and knee>=N fails with that reason (exit 1)', async () => {
    // One flow in flight and an arrival every 5 ms: no flow (six exchanges through the proxy) ends
    // that fast, so most arrivals are dropped and the first step must break.
    const f = await scenario('impossible', {
      name: 'one-slot',
      load: { search: { startRatePerSec: 200, stepDuration: '3s', settle: '1s', minSamples: 5 }, maxInFlight: 1 },
      slo: { p95Ms: 200, errorRate: 0.01 },
    });
    const out = join(dir, 'out');
    const r = await cli(['capacity', f, '--out', out, '--json', '--threshold', 'knee>=10']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.knee).toMatchObject({ method: 'search', outcome: 'below-start', sustainedRatePerSec: null, brokeAtRatePerSec: 200, answer: 'below the start rate 200/s' });
    // The first step broke, and broke again when confirmed.
    expect(report.knee.steps.map((st: { kind: string }) => st.kind)).toEqual(['grow', 'confirm']);
    expect(report.knee.steps[0]).toMatchObject({ index: 1, ratePerSec: 200, verdict: 'breach' });
    expect(report.knee.steps[1]).toMatchObject({ index: 2, ratePerSec: 200, verdict: 'breach' });
    expect(report.knee.steps[0].dropped).toBeGreaterThan(100);
    expect(report.knee.steps[0].breach).toMatch(/dropped [\d.]+% of arrivals/);
    expect(report.thresholds).toEqual([{ expr: 'knee>=10', ok: false, actual: null, detail: 'no knee: below the start rate 200/s' }]);
    // The console (stderr with --json) prints the knee and the step table.
    expect(r.stderr).toContain('knee       below the start rate 200/s at token p95 < 200 ms, errors < 1%');
    expect(r.stderr).toMatch(/1\s+grow\s+200\s+[\d.]+\s+[\d.]+%\s+\d+\s+\d+\s+breach: .*dropped/);
    expect(r.stderr).toMatch(/2\s+confirm\s+200\s+[\d.]+\s+[\d.]+%\s+\d+\s+\d+\s+breach: .*dropped/);
    expect(r.stderr).toContain('FAIL knee>=10 (actual n/a: no knee: below the start rate 200/s)');
    const [runDir] = await readdir(out);
    const junit = await readFile(join(out, runDir!, 'junit.xml'), 'utf8');
    expect(junit).toContain('<property name="knee" value=""/>');
    expect(junit).toContain('<property name="knee.outcome" value="below-start"/>');
    expect(junit).toContain('<failure message="actual n/a (no knee: below the start rate 200/s)"');
    const html = await readFile(join(out, runDir!, 'report.html'), 'utf8');
    expect(html).toContain('below the start rate 200/s');
  }, 120_000);

  it('bad load.search → one line naming the field, exit 2', async () => {
    const f = await scenario('bad', { load: { search: { startRatePerSec: 10, growht: 2 } }, slo: { p95Ms: 200 } });
    const r = await cli(['capacity', f]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('tokenstorm: bad.json: load.search.growht is not a known key (did you mean load.search.growth?)');
    const g = await scenario('bad-rate', { load: { search: { startRatePerSec: -5 } }, slo: { p95Ms: 200 } });
    expect(oneLine((await cli(['capacity', g])).stderr)).toBe('tokenstorm: bad-rate.json: load.search.startRatePerSec must be > 0 (got -5)');
  });

  it('a scenario without load.search, or a bad knee threshold → exit 2', async () => {
    const r = await cli(['capacity', 'smoke', '--dry-run']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^tokenstorm: scenario smoke has no load.search: capacity searches for the knee/);
    const t = await cli(['capacity', '--threshold', 'knee>=fast', '--dry-run']);
    expect(t.code).toBe(2);
    expect(oneLine(t.stderr)).toBe(`tokenstorm: threshold "knee>=fast": "fast" is not a number (the knee is in flows/s, e.g. 'knee>=250')`);
    expect((await cli(['capacity', '--threshold', 'knee', '--dry-run'])).code).toBe(2);
  });

  it('--dry-run describes the bundled capacity search', async () => {
    const r = await cli(['capacity', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from 50 flows/s, ×1.5 per step until one breaks the SLO (never above 2000 flows/s)');
    expect(r.stdout).toContain('then bisection between the last good and the first bad rate to within 5%');
  });
});
