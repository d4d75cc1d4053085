import { describe, expect, it } from 'vitest';
import { phaseBurnRates, withBurnRates } from '../../../src/report/burn-rate.ts';
import { formatSummary } from '../../../src/report/console.ts';
import { buildSyntheticReport } from '../../../src/report/fixture.ts';
import { renderHtml } from '../../../src/report/html.ts';

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

  it('sets nothing without an SLO error rate, and shows up in console and HTML when set', () => {
    const r = buildSyntheticReport({ seed: 3 });
    delete r.slo;
    withBurnRates(r);
    expect(r.phases.every((p) => p.burnRate === undefined)).toBe(true);
    expect(formatSummary(r)).not.toContain('burn rate');

    r.slo = { errorRate: 0.001 };
    withBurnRates(r);
    const withFailures = r.phases.find((p) => p.flows.failed > 0);
    expect(withFailures, 'the fixture has a phase with failures').toBeDefined();
    const ended = withFailures!.flows.completed + withFailures!.flows.failed;
    expect(withFailures!.burnRate).toBeCloseTo(withFailures!.flows.failed / ended / 0.001, 2);
    const summary = formatSummary(r);
    expect(summary).toMatch(/burn rate {2}.*×/);
    expect(renderHtml(r)).toContain('SLO burn rate');
  });
});
