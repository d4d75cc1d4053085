import { describe, expect, it } from 'vitest';
import { describePlan, expectedArrivals } from '../../../src/scenario/describe.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

describe('describePlan', () => {
  const plan = validateScenario(
    {
      name: 'ramp',
      description: 'ramp with faults',
      load: {
        stages: [
          { duration: '10s', target: 50 },
          { duration: '10s', target: 50 },
          { duration: '20s', target: 100 },
        ],
        maxFlows: 100_000,
      },
      faults: [
        { at: '10s', for: '10s', toxic: { type: 'latency', attributes: { latency: 300 } } },
        { at: '25s', for: '5s', down: true },
        { at: '30s', for: '5s', clockSkewMs: 120_000 },
      ],
      slo: { p95Ms: 200, errorRate: 0.05 },
      thresholds: ['token:p(95)<200'],
      expectFailures: ['connection_refused'],
    },
    'scenarios/ramp.json',
  );
  const text = describePlan(plan);

  it('names the scenario, model and every stage with times', () => {
    expect(text).toContain('Scenario ramp (scenarios/ramp.json): ramp with faults\n');
    expect(text).toContain('Load: open model (arrival rate; latency measured from the intended start), 3 stages, 40s total\n');
    expect(text).toContain('  stage 1: 0s–10s ramp 0 → 50 flows/s\n');
    expect(text).toContain('  stage 2: 10s–20s constant 50 flows/s\n');
    expect(text).toContain('  stage 3: 20s–40s ramp 50 → 100 flows/s\n');
  });

  it('gives expected flows, bounds, faults with times, SLO, thresholds', () => {
    // 0→50 over 10 s = 250, 50 for 10 s = 500, 50→100 over 20 s = 1500.
    expect(text).toContain('Expected flows: ~2250\n');
    expect(text).toContain('at most 256 in flight');
    expect(text).toContain('stop after 100000 flows');
    expect(text).toContain('Target: embedded IdP');
    expect(text).toContain('Faults (3):\n');
    expect(text).toContain('  10s–20s token latency 300ms: toxic latency 300ms on the token route (downstream)\n');
    expect(text).toContain('  25s–30s token down: proxy for the token route disabled (connections refused)\n');
    expect(text).toContain('  30s–35s idp clock +120s: IdP clock 120s ahead\n');
    expect(text).toContain('SLO: token p95 < 200ms, failed-flow ratio < 0.05\n');
    expect(text).toContain('Thresholds: token:p(95)<200\n');
    expect(text).toContain('Expected failures (reported, not gated): connection_refused\n');
    expect(text).not.toContain('secret');
  });

  it('flow mode says how many flows warm the harness before the clock, unless turned off', () => {
    expect(describePlan(validateScenario({ load: { ratePerSec: 5, duration: '2s' } }, null))).toContain(
      'Before the clock: up to 20 flows one after another to warm the harness (not measured; load.primeFlows: 0 turns this off)\n',
    );
    expect(describePlan(validateScenario({ load: { ratePerSec: 5, duration: '2s', primeFlows: 0 } }, null))).not.toContain('Before the clock');
    expect(describePlan(validateScenario({ mode: 'token', load: { ratePerSec: 5, duration: '2s' } }, null))).not.toContain('Before the clock');
  });

  it('token mode shows the code bank; closed model has no expected count', () => {
    const token = describePlan(validateScenario({ mode: 'token', load: { ratePerSec: 100, duration: '20s' } }, null));
    expect(token).toContain('  stage 1: 0s–20s constant 100 exchanges/s\n');
    expect(token).toContain('Expected token exchanges: ~2000\n');
    expect(token).toContain('Code bank: 256 codes, used within 30s of issue, 8 producers\n');
    const closed = validateScenario({ load: { model: 'closed', vus: 5, duration: '10s' } }, null);
    expect(expectedArrivals(closed)).toBeNull();
    expect(describePlan(closed)).toContain("Expected flows: depends on the target's latency (closed model)\n");
  });

  it('caps expected flows at maxFlows', () => {
    const capped = validateScenario({ load: { ratePerSec: 100, duration: '10s', maxFlows: 50 } }, null);
    expect(expectedArrivals(capped)).toBe(50);
    expect(describePlan(capped)).toContain('Expected flows: ~50 (capped by maxFlows)\n');
  });
});
