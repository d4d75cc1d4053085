import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { EndpointReport, LatencySummary } from '../../../src/report/schema.ts';
import { evaluateThresholds } from '../../../src/report/thresholds.ts';
import type { ThresholdInput } from '../../../src/report/thresholds.ts';

/** An endpoint with latencies 1..n ms recorded in µs, and summary fields deliberately different. */
function endpoint(latenciesMs: number[], errors = 0, summary: Partial<LatencySummary> = {}): EndpointReport {
  const h = build({ numberOfSignificantValueDigits: 3 });
  for (const ms of latenciesMs) h.recordValue(Math.round(ms * 1000));
  const latencyMs = { p50: -1, p90: -1, p95: -1, p99: -1, p999: -1, max: -1, mean: -1, ...summary };
  return {
    count: latenciesMs.length,
    errors,
    latencyMs,
    serviceMs: latencyMs,
    hdr: encodeIntoCompressedBase64(h),
    serviceHdr: '',
  };
}

const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1);

function report(over: Partial<ThresholdInput> = {}): ThresholdInput {
  return {
    endpoints: { token: endpoint(oneToThousand, 10) },
    flows: { started: 110, completed: 99, failed: 1, dropped: 10, late: 0 },
    ...over,
  };
}

describe('evaluateThresholds', () => {
  it('computes any percentile from the HDR histogram (µs → ms)', () => {
    const [p95, p975, p999, med] = evaluateThresholds(
      ['token:p(95)<1000', 'token:p(97.5)>100', 'token:p(99.9)<999', 'token:med<=500.3'],
      report(),
    );
    // HDR with 3 significant digits: values within 0.1 % of the exact rank.
    expect(p95?.actual).toBeCloseTo(950, -0.5);
    expect(p95?.ok).toBe(true);
    expect(p975?.actual).toBeCloseTo(975, -0.5);
    expect(p975?.ok).toBe(true);
    expect(p999?.actual).toBeCloseTo(999, -0.5);
    expect(p999?.ok).toBe(false);
    expect(med?.actual).toBeCloseTo(500, -0.5);
    expect(med).toMatchObject({ expr: 'token:med<=500.3', ok: true });
  });

  it('avg, min and max from HDR', () => {
    const [avg, max, min] = evaluateThresholds(['token:avg<500', 'token:max>=1000', 'token:min==1'], report());
    expect(min).toEqual({ expr: 'token:min==1', ok: true, actual: 1 });
    expect(avg?.actual).toBeCloseTo(500.5, 0);
    expect(avg?.ok).toBe(false);
    expect(max?.actual).toBeCloseTo(1000, -0.5);
    expect(max?.ok).toBe(true);
  });

  it('rate(failed): errors/count per endpoint, failed/(completed+failed) for flow', () => {
    const results = evaluateThresholds(['token:rate(failed)<0.01', 'token:rate(failed)<=0.01', 'flow:rate(failed)<0.02'], report());
    expect(results).toEqual([
      { expr: 'token:rate(failed)<0.01', ok: false, actual: 0.01 },
      { expr: 'token:rate(failed)<=0.01', ok: true, actual: 0.01 },
      { expr: 'flow:rate(failed)<0.02', ok: true, actual: 0.01 },
    ]);
  });

  it('rate(dropped): dropped/(started+dropped) arrivals, on flow only', () => {
    expect(evaluateThresholds(['flow:rate(dropped)<0.05'], report())).toEqual([{ expr: 'flow:rate(dropped)<0.05', ok: false, actual: 10 / 120 }]);
    expect(() => evaluateThresholds(['token:rate(dropped)<0.05'], report())).toThrow(/rate\(dropped\) is measured on flow/);
  });

  it('count and ==', () => {
    expect(evaluateThresholds(['token:count==1000', 'token:count>1000'], report())).toEqual([
      { expr: 'token:count==1000', ok: true, actual: 1000 },
      { expr: 'token:count>1000', ok: false, actual: 1000 },
    ]);
  });

  it('no samples → ok:false, actual:null', () => {
    const r = report({
      endpoints: { token: { ...endpoint([]), count: 0 } },
      flows: { started: 0, completed: 0, failed: 0, dropped: 0, late: 0 },
    });
    expect(evaluateThresholds(['token:p(95)<200', 'login:max<1', 'flow:rate(failed)<0.5', 'refresh:count<5'], r)).toEqual([
      { expr: 'token:p(95)<200', ok: false, actual: null },
      { expr: 'login:max<1', ok: false, actual: null },
      { expr: 'flow:rate(failed)<0.5', ok: false, actual: null },
      { expr: 'refresh:count<5', ok: false, actual: null },
    ]);
  });

  it('falls back to latencyMs fields without a usable HDR', () => {
    const summary = { p50: 5, p90: 9, p95: 12, p99: 20, p999: 30, max: 40, mean: 6 };
    const ep = { ...endpoint([1, 2, 3], 0, summary), hdr: '' };
    const r = report({ endpoints: { token: ep } });
    expect(evaluateThresholds(['token:p(95)<13', 'token:p(99.9)<31', 'token:avg==6', 'token:max<40', 'token:p(97)<100'], r)).toEqual([
      { expr: 'token:p(95)<13', ok: true, actual: 12 },
      { expr: 'token:p(99.9)<31', ok: true, actual: 30 },
      { expr: 'token:avg==6', ok: true, actual: 6 },
      { expr: 'token:max<40', ok: false, actual: 40 },
      // Not a listed percentile and no histogram: nothing to compare.
      { expr: 'token:p(97)<100', ok: false, actual: null },
    ]);
    const damaged = report({ endpoints: { token: { ...ep, hdr: 'not-base64!!' } } });
    expect(evaluateThresholds(['token:p(95)<13'], damaged)).toEqual([{ expr: 'token:p(95)<13', ok: true, actual: 12 }]);
  });

  it('throws ERR_THRESHOLD_INVALID for a bad expression', () => {
    expect(() => evaluateThresholds(['token:p95<1'], report())).toThrow('unknown metric "p95"');
  });
});
