import { describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { findKnee, kneeWindows } from '../../../src/report/knee.ts';

// 50 → 250 flows/s over 60 s; the token endpoint saturates above 150/s. In 5 s windows the mean
// offered rate moves 16.7/s per window: 25–30 s averages 141.7/s (all seconds ≤ 150), 30–35 s
// averages 158.3/s (all seconds > 150).
const ramp = buildSyntheticReport({ ramp: { fromRatePerSec: 50, toRatePerSec: 250 }, breakAtRatePerSec: 150, fault: null, seed: 11 });

describe('findKnee', () => {
  it('finds the known break of a synthetic ramp (p95 SLO)', () => {
    const knee = findKnee(ramp, { p95Ms: 200, endpoint: 'token' });
    expect(knee.sustainedRatePerSec).toBeGreaterThanOrEqual(140.5);
    expect(knee.sustainedRatePerSec).toBeLessThanOrEqual(150);
    expect(knee.brokeAtRatePerSec).toBeGreaterThan(150);
    expect(knee.brokeAtRatePerSec).toBeLessThanOrEqual(159.5);
    expect(knee.reason).toMatch(/^token p95 \d+\.\d ms > 200 ms at 15\d\.\d\/s \(30–35 s\)$/);
  });

  it('finds the same break from the error-rate SLO alone', () => {
    const knee = findKnee(ramp, { errorRate: 0.05, endpoint: 'token' });
    expect(knee.brokeAtRatePerSec).toBeCloseTo(158.3, 0);
    expect(knee.reason).toMatch(/^error rate \d+\.\d\d% > 5\.00% at/);
  });

  it('uses the per-second series windows as documented', () => {
    const windows = kneeWindows(ramp.series, { p95Ms: 200, endpoint: 'token' }, { windowSec: 5, rate: 'offered' });
    expect(windows).toHaveLength(12);
    expect(windows.map((w) => w.ok)).toEqual([true, true, true, true, true, true, false, false, false, false, false, false]);
    expect(windows[0]!.ratePerSec).toBeCloseTo(58.3, 0);
  });

  it('reports no break when the SLO holds at every rate', () => {
    const flat = buildSyntheticReport({ ratePerSec: 80, durationSec: 30, fault: null });
    const knee = findKnee(flat, { p95Ms: 200, errorRate: 0.05, endpoint: 'token' });
    expect(knee).toEqual({ sustainedRatePerSec: 80, brokeAtRatePerSec: null, reason: 'SLO held up to 80.0/s' });
  });

  it('reports that the SLO never held', () => {
    const knee = findKnee(ramp, { p95Ms: 1, endpoint: 'token' });
    expect(knee.sustainedRatePerSec).toBeNull();
    expect(knee.brokeAtRatePerSec).toBeCloseTo(58.3, 0);
    expect(knee.reason).toMatch(/^SLO never held: token p95 .* at 58\.\d\/s \(0–5 s\)$/);
  });

  it('treats a fault at a low rate as a transient breach, not the knee', () => {
    const withFault = buildSyntheticReport({
      ramp: { fromRatePerSec: 50, toRatePerSec: 250 },
      breakAtRatePerSec: 150,
      fault: { atSec: 5, forSec: 10, addLatencyMs: 400 },
      seed: 11,
    });
    const knee = findKnee(withFault, { p95Ms: 200, endpoint: 'token' });
    expect(knee.brokeAtRatePerSec).toBeGreaterThan(150);
    expect(knee.sustainedRatePerSec).toBeLessThanOrEqual(150);
    expect(knee.reason).toMatch(/; 2 transient breaches at lower rates$/);
  });

  it('needs at least one limit', () => {
    expect(findKnee(ramp, { endpoint: 'token', p95Ms: null, errorRate: null })).toEqual({
      sustainedRatePerSec: null,
      brokeAtRatePerSec: null,
      reason: 'no SLO limit (p95Ms or errorRate) given',
    });
  });
});
