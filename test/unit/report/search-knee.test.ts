import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import type { SearchOutcome } from '../../../src/load/search-executor.ts';
import { compareReports, formatCompareTable } from '../../../src/report/compare.ts';
import { formatSummary } from '../../../src/report/console.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { buildCharts } from '../../../src/report/html/chart-data.ts';
import { renderJunit } from '../../../src/report/junit.ts';
import type { KneeStep, Report } from '../../../src/report/schema.ts';
import { kneeFromSearch } from '../../../src/report/search-knee.ts';
import { evaluateThresholds, parseThreshold } from '../../../src/report/thresholds.ts';
import type { SearchPlan } from '../../../src/scenario/types.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';

const search: SearchPlan = { startRatePerSec: 50, growth: 2, stepDurationMs: 5000, settleMs: 1000, minSamples: 50, resolutionPct: 10, maxRatePerSec: 1000 };

function step(index: number, ratePerSec: number, verdict: KneeStep['verdict'], p95Ms: number, kind: KneeStep['kind'] = 'grow'): KneeStep {
  const breach = verdict === 'ok' ? null : `token p95 ${p95Ms.toFixed(1)} ms > 200 ms`;
  return {
    index,
    kind,
    ratePerSec,
    startMs: (index - 1) * 6000,
    endMs: index * 6000 - 1000,
    judgedFromMs: (index - 1) * 6000 + 1000,
    judgedToMs: index * 6000 - 1000,
    p95Ms,
    errorRate: 0,
    samples: ratePerSec * 4,
    started: ratePerSec * 5,
    dropped: 0,
    late: 0,
    verdict,
    sloOk: verdict === 'ok',
    breach,
    harness: verdict === 'harness-limited' ? 'flow starts p95 80 ms late (> 50 ms)' : null,
  };
}

const found: SearchOutcome = {
  steps: [step(1, 50, 'ok', 12), step(2, 100, 'ok', 20), step(3, 200, 'breach', 900), step(4, 141.4, 'ok', 60, 'bisect'), step(5, 168.2, 'breach', 320, 'bisect'), step(6, 154.2, 'ok', 140, 'bisect')],
  conclusion: { outcome: 'found', kneeRatePerSec: 154.2, brokeAtRatePerSec: 168.2, resolutionPct: 9.1, answer: '154.2/s ±9.1%', reason: 'the SLO held at 154.2/s and broke at 168.2/s: token p95 320.0 ms > 200 ms' },
};
const belowStart: SearchOutcome = {
  steps: [step(1, 50, 'breach', 700)],
  conclusion: { outcome: 'below-start', kneeRatePerSec: null, brokeAtRatePerSec: 50, resolutionPct: null, answer: 'below the start rate 50/s', reason: 'the first step broke the SLO: token p95 700.0 ms > 200 ms at 50/s' },
};
const limited: SearchOutcome = {
  steps: [step(1, 50, 'ok', 12), step(2, 100, 'harness-limited', 230)],
  conclusion: { outcome: 'harness-limited', kneeRatePerSec: 50, brokeAtRatePerSec: null, resolutionPct: null, answer: 'at least 50/s, harness-limited', reason: 'the harness was the bottleneck at 100/s' },
};

function searchReport(outcome: SearchOutcome): Report {
  const r = buildSyntheticReport({ durationSec: 36, fault: null });
  r.slo = { p95Ms: 200, errorRate: 0.01, endpoint: 'token' };
  r.knee = kneeFromSearch(search, outcome);
  return r;
}

describe('kneeFromSearch', () => {
  it('gives one number with its resolution, and every step', () => {
    expect(searchReport(found).knee).toMatchObject({
      method: 'search',
      sustainedRatePerSec: 154.2,
      brokeAtRatePerSec: 168.2,
      resolutionPct: 9.1,
      targetResolutionPct: 10,
      harnessLimited: false,
      outcome: 'found',
      answer: '154.2/s ±9.1%',
    });
    expect(searchReport(found).knee?.steps).toHaveLength(6);
    expect(searchReport(limited).knee).toMatchObject({ harnessLimited: true, sustainedRatePerSec: 50, answer: 'at least 50/s, harness-limited' });
  });
});

describe('knee>=N threshold', () => {
  it('parses, and rejects a knee without a comparison or a number', () => {
    expect(parseThreshold('knee>=250')).toEqual({ expr: 'knee>=250', endpoint: 'flow', metric: { kind: 'knee' }, op: '>=', value: 250 });
    expect(parseThreshold(' knee > 12.5 ')).toMatchObject({ op: '>', value: 12.5 });
    for (const [expr, message] of [
      ['knee', 'threshold "knee": the knee needs a comparison (<, <=, >, >=, ==) and a rate'],
      ['knee>=', 'threshold "knee>=": "" is not a number'],
      ['knee>=fast', 'threshold "knee>=fast": "fast" is not a number'],
    ]) {
      try {
        parseThreshold(expr!);
        throw new Error(`${expr} was accepted`);
      } catch (err) {
        expect(isTokenstormError(err, 'ERR_THRESHOLD_INVALID')).toBe(true);
        expect((err as Error).message).toBe(message);
        expect((err as { hint?: string }).hint).toBe("the knee is in flows/s, e.g. 'knee>=250'");
      }
    }
  });

  it('passes and fails on the knee', () => {
    const r = searchReport(found);
    expect(evaluateThresholds(['knee>=150', 'knee>=200'], r)).toEqual([
      { expr: 'knee>=150', ok: true, actual: 154.2 },
      { expr: 'knee>=200', ok: false, actual: 154.2 },
    ]);
  });

  it('fails with a clear reason when there is no knee number', () => {
    expect(evaluateThresholds(['knee>=10'], searchReport(belowStart))).toEqual([{ expr: 'knee>=10', ok: false, actual: null, detail: 'no knee: below the start rate 50/s' }]);
    const noKnee = buildSyntheticReport({ fault: null });
    expect(evaluateThresholds(['knee>=10'], noKnee)[0]).toMatchObject({ ok: false, actual: null, detail: expect.stringContaining('no knee') });
  });

  it('lets a harness-limited lower bound prove knee>=N but never disprove it', () => {
    const r = searchReport(limited);
    expect(evaluateThresholds(['knee>=40', 'knee>=80'], r)).toEqual([
      { expr: 'knee>=40', ok: true, actual: 50, detail: 'harness-limited: the knee is at least 50/s (a lower bound)' },
      { expr: 'knee>=80', ok: false, actual: 50, detail: 'harness-limited: the knee is at least 50/s (a lower bound)' },
    ]);
  });
});

describe('baseline gate on the knee', () => {
  it('is a regression when the knee drops beyond the tolerance, and fine within it', () => {
    const base = searchReport(found);
    const drop = searchReport({ ...found, conclusion: { ...found.conclusion, kneeRatePerSec: 120 } });
    const slight = searchReport({ ...found, conclusion: { ...found.conclusion, kneeRatePerSec: 145 } });
    const [dropped] = compareReports(base, drop, { tolerancePct: 10, endpoints: [] });
    expect(dropped).toEqual({ endpoint: 'flow', stat: 'knee', tolerancePct: 10, unit: 'flows/s', baseline: 154.2, current: 120, ok: false });
    expect(compareReports(base, slight, { tolerancePct: 10, endpoints: [] })[0]!.ok).toBe(true);
    expect(formatCompareTable([dropped!])).toMatch(/flow\s+knee\s+154\.20 flows\/s\s+120\.00 flows\/s\s+-22\.2%\s+-10%\s+REGRESSION/);
    // The SLO never holding is a knee of 0: a regression too.
    expect(compareReports(base, searchReport(belowStart), { tolerancePct: 10, endpoints: [] })[0]).toMatchObject({ current: 0, ok: false });
  });

  it('two searches are compared on the knee alone by default (tokenstorm compare)', () => {
    const checks = compareReports(searchReport(found), searchReport(found), { tolerancePct: 10 });
    expect(checks.map((c) => c.stat)).toEqual(['knee']);
  });

  it('is compared only when both runs searched, unless asked', () => {
    const plain = buildSyntheticReport({ fault: null });
    expect(compareReports(plain, plain, { tolerancePct: 10 }).some((c) => c.stat === 'knee')).toBe(false);
    expect(compareReports(plain, searchReport(found), { tolerancePct: 10, knee: true }).find((c) => c.stat === 'knee')).toMatchObject({ ok: true, skipped: 'the baseline has no knee' });
  });
});

describe('knee outputs', () => {
  it('JUnit carries the knee as suite properties', () => {
    const xml = renderJunit(searchReport(found));
    expect(xml).toContain('<property name="knee" value="154.2"/>');
    expect(xml).toContain('<property name="knee.resolutionPct" value="9.1"/>');
    expect(xml).toContain('<property name="knee.outcome" value="found"/>');
    expect(renderJunit(searchReport(belowStart))).toContain('<property name="knee" value=""/>');
  });

  it('the console prints the knee and the step table', () => {
    const text = formatSummary(searchReport(found));
    expect(text).toContain('knee       154.2/s ±9.1% at token p95 < 200 ms, errors < 1%');
    expect(text).toMatch(/step\s+kind\s+rate\/s\s+p95 ms\s+errors\s+dropped\s+samples\s+verdict/);
    expect(text).toMatch(/5\s+bisect\s+168\.2\s+320\s+0\.00%\s+0\s+672\.8\s+breach: token p95 320\.0 ms > 200 ms/);
    expect(formatSummary(searchReport(belowStart))).toContain('knee       below the start rate 50/s');
  });

  it('the HTML report has the steps table and a rate-vs-p95 chart with the SLO line', () => {
    const r = searchReport(found);
    const html = renderHtml(r);
    expect(html).toContain('<h2>Capacity knee (search)</h2>');
    expect(html).toContain('knee 154.2/s ±9.1%');
    expect(html).toContain('<div class="chart" id="chart-knee"></div>');
    expect((html.match(/<td>bisect<\/td>/g) ?? []).length).toBe(3);
    const chart = buildCharts(r).find((c) => c.id === 'knee')!;
    expect(chart.xKind).toBe('rate');
    expect(chart.x).toEqual([50, 100, 141.4, 154.2, 168.2, 200]);
    expect(chart.series[0]!.values).toEqual([12, 20, 60, 140, 320, 900]);
    expect(chart.series[1]).toMatchObject({ label: 'SLO 200 ms', values: [200, 200, 200, 200, 200, 200] });
    expect(buildCharts(buildSyntheticReport({ fault: null })).some((c) => c.id === 'knee')).toBe(false);
  });
});
