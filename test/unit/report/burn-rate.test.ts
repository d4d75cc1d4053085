import { describe, expect, it } from 'vitest';
import { phaseBurnRates, withBurnRates } from '../../../src/report/burn-rate.ts';
import type { PhaseReport } from '../../../src/report/schema.ts';

const flows = (completed: number, failed: number) => ({ flows: { started: completed + failed, completed, failed, dropped: 0 } });

describe('SLO burn rate per phase', () => {
  it('is the phase error rate over the SLO error rate; budget share is against the whole run', () => {
    // run: 400 ended, SLO 1% → budget 4 failed flows.
    const burns = phaseBurnRates([flows(199, 1), flows(94, 6), flows(100, 0), flows(0, 0)], 0.01);
    expect(burns).toEqual([
      { burnRate: 0.5, budgetConsumed: 0.25 },
      { burnRate: 6, budgetConsumed: 1.5 },
      { burnRate: 0, budgetConsumed: 0 },
      { burnRate: null, budgetConsumed: null },
    ]);
  });

  it('withBurnRates sets nothing without an SLO error rate, and each phase with one', () => {
    const phase = (name: string, completed: number, failed: number): PhaseReport => ({ name, startMs: 0, endMs: 1, faults: [], ...flows(completed, failed), endpoints: {}, failures: {} });
    const none = withBurnRates({ phases: [phase('baseline', 10, 0)] });
    expect(none.phases[0]!.burnRate).toBeUndefined();
    const r = withBurnRates({ phases: [phase('baseline', 100, 0), phase('token down', 50, 50)], slo: { errorRate: 0.05 } });
    expect(r.phases.map((p) => [p.burnRate, p.budgetConsumed])).toEqual([
      [0, 0],
      [10, 5],
    ]);
  });
});
