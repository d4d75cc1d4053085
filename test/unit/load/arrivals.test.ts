import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, peakRatePerSec } from '../../../src/load/arrivals.ts';
import { INLINE_MAX_RATE_PER_SEC, workersForRate } from '../../../src/pkce/pool.ts';

function all(s: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== null && out.length < 1e6; t = s.next()) out.push(t);
  return out;
}

describe('ArrivalSchedule', () => {
  it('spaces a constant rate evenly and ends before the stage end', () => {
    const times = all(new ArrivalSchedule(10, [{ durationMs: 1000, targetRatePerSec: 10 }]));
    expect(times).toHaveLength(10);
    for (const [i, t] of times.entries()) expect(t).toBeCloseTo(i * 100, 6);
  });

  it('integrates a linear ramp exactly (0 → 100/s over 10 s = 500 arrivals)', () => {
    const s = new ArrivalSchedule(0, [{ durationMs: 10_000, targetRatePerSec: 100 }]);
    expect(s.expectedTotal()).toBe(500);
    const times = all(s);
    expect(times.length).toBe(499); // arrival 500 lands exactly at the end, which is exclusive
    // Half the arrivals of a 0→r ramp come in the last 29.3 % of it: N(t) ∝ t².
    const firstHalf = times.filter((t) => t < 5000).length;
    expect(firstHalf).toBe(124); // N(5 s) = 125, and arrival 125 is exactly at 5 s
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
  });

  it('carries fractional arrivals across stages and honours a ramp down', () => {
    const s = new ArrivalSchedule(5, [
      { durationMs: 1000, targetRatePerSec: 5 },
      { durationMs: 2000, targetRatePerSec: 15 },
      { durationMs: 1000, targetRatePerSec: 0 },
    ]);
    expect(s.expectedTotal()).toBeCloseTo(5 + 20 + 7.5, 9);
    const times = all(s);
    expect(times.length).toBe(33);
    expect(times.filter((t) => t >= 3000).length).toBe(8);
    expect(s.rateAt(2000)).toBe(10);
  });

  it('gives nothing for a zero rate', () => {
    expect(all(new ArrivalSchedule(0, [{ durationMs: 5000, targetRatePerSec: 0 }]))).toEqual([]);
  });
});

describe('peakRatePerSec and the verifier threads it implies', () => {
  const search = { startRatePerSec: 10, growth: 1.5, stepDurationMs: 10_000, settleMs: 2000, minSamples: 50, resolutionPct: 10, maxRatePerSec: 5000 };

  it('is the highest stage target or start rate of an open model, the ceiling of a search, unknown for a closed model', () => {
    const ramp = [
      { durationMs: 1000, targetRatePerSec: 50 },
      { durationMs: 1000, targetRatePerSec: 300 },
      { durationMs: 1000, targetRatePerSec: 0 },
    ];
    expect(peakRatePerSec({ model: 'open', startRatePerSec: 0, stages: ramp, search: null })).toBe(300);
    expect(peakRatePerSec({ model: 'open', startRatePerSec: 900, stages: ramp, search: null })).toBe(900);
    expect(peakRatePerSec({ model: 'open', startRatePerSec: 0, stages: [], search })).toBe(5000);
    expect(peakRatePerSec({ model: 'closed', startRatePerSec: 0, stages: [{ durationMs: 1000, vus: 10 }], search: null })).toBeNull();
  });

  it('needs no thread up to the inline limit, one above it or when the rate is unknown', () => {
    expect(workersForRate(100)).toBe(0);
    expect(workersForRate(INLINE_MAX_RATE_PER_SEC)).toBe(0);
    expect(workersForRate(INLINE_MAX_RATE_PER_SEC + 1)).toBe(1);
    expect(workersForRate(null)).toBe(1);
  });
});
