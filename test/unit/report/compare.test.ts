import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { compareReports, formatCompareTable, loadReport, parseTolerance } from '../../../src/report/compare.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';

const opts = { durationSec: 20, ratePerSec: 40, fault: null, seed: 3 } as const;
const baseline = buildSyntheticReport(opts);
const same = buildSyntheticReport(opts);
const plus5 = buildSyntheticReport({ ...opts, latencyMultiplier: 1.05 });
const times15 = buildSyntheticReport({ ...opts, latencyMultiplier: 1.5 });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('compareReports', () => {
  it('passes an identical report with equal values', () => {
    const checks = compareReports(baseline, same, { tolerancePct: 10 });
    expect(checks.map((c) => c.endpoint)).toEqual(['authorize', 'login', 'callback', 'token', 'flow']);
    for (const c of checks) {
      expect(c.ok).toBe(true);
      expect(c.stat).toBe('p95');
      expect(c.current).toBe(c.baseline);
      expect(c.baseline).toBeGreaterThan(0);
    }
  });

  it('passes a +5% report within 10% and fails it within 2%', () => {
    const checks = compareReports(baseline, plus5, { tolerancePct: 10, endpoints: ['token'] });
    expect(checks).toHaveLength(1);
    const [c] = checks;
    expect(c!.ok).toBe(true);
    expect(c!.current / c!.baseline).toBeGreaterThan(1.04);
    expect(c!.current / c!.baseline).toBeLessThan(1.06);
    expect(compareReports(baseline, plus5, { tolerancePct: 2, endpoints: ['token'] })[0]!.ok).toBe(false);
  });

  it('detects an injected ×1.5 regression on every stat asked for', () => {
    const checks = compareReports(baseline, times15, { tolerancePct: 10, stats: ['p95', 'p99'], endpoints: ['token'] });
    expect(checks.map((c) => [c.stat, c.ok])).toEqual([
      ['p95', false],
      ['p99', false],
    ]);
    expect(checks[0]!.current / checks[0]!.baseline).toBeCloseTo(1.5, 1);
    // Values come from the histograms, so they agree with the stored summary (3 significant digits).
    expect(checks[0]!.baseline).toBeCloseTo(baseline.endpoints.token!.latencyMs.p95, 1);
    const table = formatCompareTable(checks);
    expect(table).toMatch(/^endpoint\s+stat\s+baseline\s+current\s+change\s+limit\s+result$/m);
    expect(table).toMatch(/^token\s+p95\s+[\d.]+ ms\s+[\d.]+ ms\s+\+(49|50)\.\d%\s+\+10%\s+REGRESSION$/m);
    expect(table.trimEnd().split('\n').at(-1)).toBe('REGRESSION: 2 of 2 checks over tolerance');
  });

  it('skips endpoints with fewer than 20 samples and says so', () => {
    const tiny = buildSyntheticReport({ durationSec: 1, ratePerSec: 10, fault: null });
    const checks = compareReports(baseline, tiny, { tolerancePct: 10, endpoints: ['token', 'consent'] });
    expect(checks.map((c) => [c.endpoint, c.ok, c.skipped])).toEqual([
      ['token', true, 'too few samples (baseline 800, current 10; need 20)'],
      ['consent', true, 'too few samples (baseline 0, current 0; need 20)'],
    ]);
    const table = formatCompareTable(checks);
    expect(table).toContain('skipped: too few samples (baseline 800, current 10; need 20)');
    expect(table.trimEnd().split('\n').at(-1)).toBe('ok: 0 checks within tolerance (2 skipped)');
  });

  it('rejects an unknown stat', () => {
    let err: unknown;
    try {
      compareReports(baseline, same, { tolerancePct: 10, stats: ['p42'] });
    } catch (e) {
      err = e;
    }
    expect(isTokenstormError(err, 'ERR_USAGE')).toBe(true);
    expect((err as Error).message).toBe("unknown stat 'p42'");
  });
});

describe('parseTolerance', () => {
  it('reads percentages with or without %', () => {
    expect(parseTolerance('10%')).toBe(10);
    expect(parseTolerance('10')).toBe(10);
    expect(parseTolerance(' 2.5% ')).toBe(2.5);
    expect(parseTolerance('0')).toBe(0);
  });
  it.each(['', 'ten', '-5%', '10%%', '1e3'])('rejects %j with ERR_USAGE', (bad) => {
    let err: unknown;
    try {
      parseTolerance(bad);
    } catch (e) {
      err = e;
    }
    expect(isTokenstormError(err, 'ERR_USAGE')).toBe(true);
    expect((err as Error).message).toBe(`--tolerance must be a percentage like 10% (got '${bad}')`);
  });
});

describe('loadReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenstorm-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a written report', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(baseline));
    expect(await loadReport(file)).toEqual(baseline);
  });

  it('names the file in one line for each kind of bad input', async () => {
    const missing = join(dir, 'missing.json');
    const notJson = join(dir, 'bad.json');
    const wrongSchema = join(dir, 'wrong.json');
    const noEndpoints = join(dir, 'noep.json');
    await writeFile(notJson, '{"schema": ');
    await writeFile(wrongSchema, JSON.stringify({ ...baseline, schema: 'k6/summary' }));
    await writeFile(noEndpoints, JSON.stringify({ ...baseline, endpoints: [] }));
    const cases: Array<[string, RegExp]> = [
      [missing, new RegExp(`^cannot read report ${missing}: no such file$`)],
      [notJson, new RegExp(`^${notJson} is not JSON: .+$`)],
      [wrongSchema, new RegExp(`^${wrongSchema} is not a tokenstorm report: schema is "k6/summary", expected "tokenstorm/report@1"$`)],
      [noEndpoints, new RegExp(`^${noEndpoints} is not a tokenstorm report: endpoints must be an object$`)],
    ];
    for (const [file, re] of cases) {
      const err = await rejection(loadReport(file));
      expect(isTokenstormError(err, 'ERR_REPORT_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
