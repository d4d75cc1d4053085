import { describe, expect, it } from 'vitest';
import { describePlan } from '../../../src/scenario/describe.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { invalidMessage } from './helpers.ts';

const slo = { p95Ms: 200, errorRate: 0.01 };
const withSearch = (search: unknown, load: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ load: { search, ...load }, slo, ...extra });

describe('load.search validation', () => {
  it('fills the defaults and bounds the run length', () => {
    const plan = validateScenario(withSearch({ startRatePerSec: 50 }), 'cap.json');
    expect(plan.search).toEqual({ startRatePerSec: 50, growth: 1.5, stepDurationMs: 10_000, settleMs: 2000, minSamples: 100, resolutionPct: 5, maxRatePerSec: 5000 });
    expect(plan.stages).toEqual([]);
    expect(plan.startRatePerSec).toBe(50);
    expect(plan.totalDurationMs).toBeGreaterThan(100_000);
    expect(describePlan(plan)).toContain('then bisection between the last good and the first bad rate to within 5%');
  });

  it('takes every setting', () => {
    const plan = validateScenario(withSearch({ startRatePerSec: 20, growth: 2, stepDuration: '4s', settle: '1s', minSamples: 30, resolutionPct: 10, maxRatePerSec: 400 }), null);
    expect(plan.search).toEqual({ startRatePerSec: 20, growth: 2, stepDurationMs: 4000, settleMs: 1000, minSamples: 30, resolutionPct: 10, maxRatePerSec: 400 });
  });

  it('rejects bad input with one line naming the field', () => {
    expect(invalidMessage(withSearch({}))).toBe('test.json: load.search.startRatePerSec is required (the rate of the first step, e.g. 50)');
    expect(invalidMessage(withSearch({ startRatePerSec: 0 }))).toBe('test.json: load.search.startRatePerSec must be > 0 (got 0)');
    expect(invalidMessage(withSearch({ startRatePerSec: 10, growth: 1 }))).toBe('test.json: load.search.growth must be > 1 and at most 10 (got 1)');
    expect(invalidMessage(withSearch({ startRatePerSec: 10, grow: 2 }))).toBe('test.json: load.search.grow is not a known key (did you mean load.search.growth?)');
    expect(invalidMessage(withSearch({ startRatePerSec: 10, stepDuration: '4500ms' }))).toBe(
      'test.json: load.search.stepDuration must be whole seconds (got 4.5s): steps are judged on whole seconds',
    );
    expect(invalidMessage(withSearch({ startRatePerSec: 10, stepDuration: '3s', settle: '3s' }))).toBe(
      'test.json: load.search.settle (3s) must leave at least 1s of load.search.stepDuration (3s) to judge',
    );
    expect(invalidMessage(withSearch({ startRatePerSec: 100, maxRatePerSec: 50 }))).toBe('test.json: load.search.maxRatePerSec (50) must be above load.search.startRatePerSec (100)');
    expect(invalidMessage(withSearch({ startRatePerSec: 10, minSamples: 0.5 }))).toBe('test.json: load.search.minSamples must be an integer >= 1 (got 0.5)');
    expect(invalidMessage(withSearch({ startRatePerSec: 10, resolutionPct: 0 }))).toBe('test.json: load.search.resolutionPct must be > 0 and at most 100 (got 0)');
    expect(invalidMessage(withSearch('fast'))).toBe('test.json: load.search must be an object (got string)');
  });

  it('rejects a search combined with a fixed shape, the closed model, or no SLO', () => {
    expect(invalidMessage(withSearch({ startRatePerSec: 10 }, { ratePerSec: 5 }))).toBe(
      'test.json: load.ratePerSec cannot be combined with load.search (the search chooses its rates; give load.search.startRatePerSec)',
    );
    expect(invalidMessage(withSearch({ startRatePerSec: 10 }, { model: 'closed' }))).toBe('test.json: load.search needs the open model (load.model is closed): steps are arrival rates');
    expect(invalidMessage({ load: { search: { startRatePerSec: 10 } } })).toBe(
      'test.json: load.search needs an SLO to judge its steps: set slo.p95Ms (and slo.errorRate, default 1% for a search)',
    );
  });
});
