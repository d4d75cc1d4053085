import { describe, expect, it } from 'vitest';
import { describePlan } from '../../../src/scenario/describe.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { invalidMessage, scenario } from './helpers.ts';

describe('load.warmup', () => {
  it('prepends a warmup stage at the starting rate and shifts faults into the run clock', () => {
    const plan = validateScenario(scenario({ faults: [{ at: '20s', for: '5s', down: true }] }, { warmup: '5s' }), null);
    expect(plan.warmupMs).toBe(5_000);
    expect(plan.stages).toEqual([
      { durationMs: 5_000, targetRatePerSec: 10 },
      { durationMs: 60_000, targetRatePerSec: 10 },
    ]);
    expect(plan.totalDurationMs).toBe(65_000);
    expect(plan.faults[0]!.atMs).toBe(25_000);
    expect(describePlan(plan)).toContain("warmup: the first 5s (stage 1) is phase 'warmup', left out of the totals and the thresholds");
  });

  it('warms a ramp from 0 at its first target, and a closed model at its first VUs', () => {
    const ramp = validateScenario({ load: { warmup: '2s', stages: [{ duration: '10s', target: 50 }] } }, null);
    expect(ramp.stages[0]).toEqual({ durationMs: 2_000, targetRatePerSec: 50 });
    expect(ramp.startRatePerSec).toBe(50);
    const closed = validateScenario({ load: { model: 'closed', vus: 8, duration: '10s', warmup: '3s' } }, null);
    expect(closed.stages[0]).toEqual({ durationMs: 3_000, vus: 8 });
  });

  it('is absent unless asked for', () => {
    expect(validateScenario(scenario(), null).warmupMs).toBeUndefined();
  });

  it('rejects a bad warmup with one line naming the field', () => {
    expect(invalidMessage(scenario({}, { warmup: 'soon' }))).toMatch(/load\.warmup/);
    expect(invalidMessage(scenario({}, { warmup: '0s' }))).toMatch(/load\.warmup/);
  });
});
