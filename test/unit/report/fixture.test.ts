import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../../src/metrics/hdr.ts';
import { reportProblem } from '../../../src/report/compare.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';

describe('buildSyntheticReport', () => {
  it('builds a valid, deterministic report with real histograms', () => {
    const r = buildSyntheticReport({ durationSec: 40, ratePerSec: 40, seed: 5 });
    expect(reportProblem(JSON.parse(JSON.stringify(r)))).toBeNull();
    expect(buildSyntheticReport({ durationSec: 40, ratePerSec: 40, seed: 5 })).toEqual(r);
    expect(r.series).toHaveLength(40);
    expect(r.flows.started).toBe(1600);
    const token = r.endpoints.token!;
    const h = decodeHistogram(token.hdr);
    expect(h.totalCount).toBe(token.count);
    expect(h.getValueAtPercentile(95) / 1000).toBeCloseTo(token.latencyMs.p95, 2);
    expect(r.phases.map((p) => [p.name, p.startMs, p.endMs, p.faults])).toEqual([
      ['baseline', 0, 20_000, []],
      ['token-latency', 20_000, 30_000, ['token: latency 150ms']],
      ['recovery', 30_000, 40_000, []],
    ]);
    const phaseStarted = r.phases.reduce((a, p) => a + p.flows.started, 0);
    expect(phaseStarted).toBe(r.flows.started);
    const failures = Object.values(r.failures).reduce((a, n) => a + n, 0);
    expect(failures).toBe(r.flows.failed);
  });

  it('scales latency with the multiplier and keeps counts', () => {
    const a = buildSyntheticReport({ durationSec: 10, fault: null, seed: 2 });
    const b = buildSyntheticReport({ durationSec: 10, fault: null, seed: 2, latencyMultiplier: 2 });
    expect(b.flows).toEqual(a.flows);
    expect(b.endpoints.token!.latencyMs.p50 / a.endpoints.token!.latencyMs.p50).toBeCloseTo(2, 1);
  });
});
