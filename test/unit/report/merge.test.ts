import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { createHistogram, decodeHistogram, recordUs } from '../../../src/metrics/hdr.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { finalizeReport } from '../../../src/report/finalize.ts';
import { findKnee } from '../../../src/report/knee.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { mergeReports } from '../../../src/report/merge.ts';
import type { Report } from '../../../src/report/schema.ts';

/** A report whose token endpoint holds exactly `samplesUs` (recorded through the real Recorder). */
function reportOf(samplesUs: number[], opts: { startedAt?: string; segment?: { index: number; count: number }; name?: string } = {}): Report {
  let nowMs = 0;
  const rec = new Recorder({ now: () => nowMs });
  samplesUs.forEach((us, i) => {
    nowMs = i * 10;
    rec.flowStarted(0);
    rec.exchange('token', us, us, true);
    rec.flowEnded(true, us, us);
  });
  nowMs = samplesUs.length * 10;
  const r = rec.finish();
  const base = buildSyntheticReport({ name: opts.name ?? 'merge-prop' });
  return {
    ...base,
    startedAt: opts.startedAt ?? base.startedAt,
    durationMs: nowMs,
    flows: r.flows,
    endpoints: r.endpoints,
    failures: r.failures,
    phases: r.phases,
    series: r.series,
    ...(opts.segment ? { segment: opts.segment } : {}),
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('mergeReports', () => {
  it('merged p95 (and every percentile) equals that of the union of the raw samples (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 5 }),
        (parts) => {
          const { report } = mergeReports(parts.map((s, i) => ({ report: reportOf(s), label: `part${i}` })));
          const union = createHistogram();
          for (const us of parts.flat()) recordUs(union, us);
          const merged = decodeHistogram(report.endpoints.token!.hdr);
          expect(merged.totalCount).toBe(parts.flat().length);
          for (const p of [50, 90, 95, 99, 99.9, 100]) expect(merged.getValueAtPercentile(p)).toBe(union.getValueAtPercentile(p));
          // And to HDR precision (3 significant digits) of the exact sorted-sample p95.
          const sorted = parts.flat().sort((a, b) => a - b);
          const exact = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
          expect(Math.abs(merged.getValueAtPercentile(95) - exact) / exact).toBeLessThanOrEqual(0.001);
          expect(report.flows.completed).toBe(parts.flat().length);
          expect(report.endpoints.token!.count).toBe(parts.flat().length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('aligns series on wall-clock time and keeps each part in segments[]', () => {
    const a = reportOf([1000, 2000, 3000], { startedAt: '2025-01-01T00:00:00.000Z', segment: { index: 0, count: 2 } });
    const b = reportOf([4000, 5000], { startedAt: '2025-01-01T00:00:05.000Z', segment: { index: 1, count: 2 } });
    const { report } = mergeReports([
      { report: a, label: 'a' },
      { report: b, label: 'b' },
    ]);
    expect(report.startedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(report.durationMs).toBe(5000 + b.durationMs);
    expect(report.series.map((p) => p.t)).toEqual([0, 5]);
    expect(report.series.map((p) => p.started)).toEqual([3, 2]);
    expect(report.segments?.map((s) => s.segment)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(report.harness.reasons).toEqual([]);
  });

  it('re-evaluates thresholds on the merged data, not on the parts', () => {
    // Each part alone meets p(95)<3 ms; together their p95 is above it.
    const a = reportOf(Array(50).fill(1000));
    const b = reportOf(Array(50).fill(5000));
    const { report, thresholdExprs } = mergeReports([
      { report: a, label: 'a' },
      { report: b, label: 'b' },
    ]);
    expect(finalizeReport(report, { thresholds: [...thresholdExprs, 'token:p(95)<3'] })).toBe(1);
    expect(report.thresholds.find((t) => t.expr === 'token:p(95)<3')).toMatchObject({ ok: false });
    expect(report.thresholds.find((t) => t.expr === 'token:p(95)<3')?.actual).toBeCloseTo(5, 1);
  });

  it('re-evaluates the knee on the merged series (two half-rate machines break at twice the rate)', () => {
    const part = (seed: number): Report => {
      const r = buildSyntheticReport({ name: 'ramp', seed, durationSec: 60, ramp: { fromRatePerSec: 10, toRatePerSec: 200 }, breakAtRatePerSec: 120, fault: null });
      return { ...r, knee: findKnee(r, { p95Ms: 200, errorRate: 0.05, endpoint: 'token' }) };
    };
    const a = part(1);
    const b = part(2);
    const { report } = mergeReports([
      { report: a, label: 'a' },
      { report: b, label: 'b' },
    ]);
    finalizeReport(report, { knee: true });
    const partBroke = a.knee!.brokeAtRatePerSec!;
    expect(partBroke).toBeGreaterThan(100);
    expect(report.knee!.brokeAtRatePerSec! / partBroke).toBeGreaterThan(1.8);
    expect(report.knee!.brokeAtRatePerSec! / partBroke).toBeLessThan(2.2);
  });

  it('refuses different scenarios, a segment twice, and says which segments are missing', () => {
    const e1 = caught(() =>
      mergeReports([
        { report: reportOf([1], { name: 'smoke' }), label: 'a.json' },
        { report: reportOf([1], { name: 'capacity' }), label: 'b.json' },
      ]),
    );
    expect(isTokenstormError(e1, 'ERR_USAGE')).toBe(true);
    expect((e1 as Error).message).toBe('cannot merge different scenarios: "capacity" (b.json) and "smoke" (a.json)');
    const seg = { index: 0, count: 2 };
    const e2 = caught(() =>
      mergeReports([
        { report: reportOf([1], { segment: seg }), label: 'a.json' },
        { report: reportOf([1], { segment: seg }), label: 'b.json' },
      ]),
    );
    expect((e2 as Error).message).toMatch(/^segment 0\/2 appears twice \(a\.json and b\.json\)/);
    const { report } = mergeReports([{ report: reportOf([1], { segment: { index: 1, count: 3 } }), label: 'a' }]);
    expect(report.harness.reasons).toContain('segments 0/3, 2/3 missing: the merged report covers part of the schedule');
  });

  it('a damaged histogram is bad input naming the part', () => {
    const a = reportOf([1000]);
    a.endpoints.token!.hdr = 'not-a-histogram';
    const e = caught(() => mergeReports([{ report: a, label: 'x.json' }]));
    expect(isTokenstormError(e, 'ERR_REPORT_INVALID')).toBe(true);
    expect((e as Error).message).toBe('x.json: endpoints.token.hdr: histogram cannot be decoded');
  });

  it('adds the timing split when every part has it, and drops it when one part lacks it', () => {
    const withSplit = (queuedUs: number, n: number): Report => {
      const r = reportOf(Array.from({ length: n }, () => 5_000));
      const rec = new Recorder({ now: () => 0 });
      for (let i = 0; i < n; i++) rec.timing('token', { queuedUs, connectUs: i === 0 ? 700 : 0, newConnection: i === 0, waitUs: 4_000, receiveUs: 100 });
      rec.exchange('token', 5_000, 5_000, true);
      const t = rec.finish().endpoints.token!;
      r.endpoints.token = { ...r.endpoints.token!, queuedMs: t.queuedMs!, connectMs: t.connectMs!, waitMs: t.waitMs!, queuedHdr: t.queuedHdr!, connectHdr: t.connectHdr!, waitHdr: t.waitHdr! };
      return r;
    };
    const merged = mergeReports([
      { report: withSplit(1_000, 30), label: 'a.json' },
      { report: withSplit(50_000, 10), label: 'b.json' },
    ]).report.endpoints.token!;
    expect(decodeHistogram(merged.queuedHdr!).totalCount).toBe(40);
    expect(merged.connectMs!.count).toBe(2);
    expect(merged.queuedMs!.p50).toBeCloseTo(1, 1);
    expect(merged.queuedMs!.max).toBeCloseTo(50, 0);
    const partial = mergeReports([
      { report: withSplit(1_000, 3), label: 'a.json' },
      { report: reportOf([5_000]), label: 'c.json' },
    ]).report.endpoints.token!;
    expect(partial.queuedMs).toBeUndefined();
    expect(partial.queuedHdr).toBeUndefined();
  });
});
