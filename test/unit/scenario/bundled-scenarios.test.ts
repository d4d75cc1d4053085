import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, packageRoot } from '../../../src/scenario/load.ts';

const scenarios = join(packageRoot(), 'scenarios');
// scenarios/keycloak.ts reads its password from the environment (target.password: { env }), which
// must be set for it to load at all.
process.env.KEYCLOAK_PASSWORD ??= 'bundled-scenarios-test';

describe('bundled scenarios all validate', async () => {
  const files = [
    ...(await readdir(scenarios)).filter((f) => f.endsWith('.ts')).map((f) => join(scenarios, f)),
    ...(await readdir(join(scenarios, 'examples'))).map((f) => join(scenarios, 'examples', f)),
  ];

  it('has the scenarios the design names', () => {
    const names = files.map((f) => f.slice(scenarios.length + 1)).sort();
    for (const want of [
      'smoke.ts',
      'capacity.ts',
      'token-p95.ts',
      'gameday-token-latency.ts',
      'gameday-idp-outage.ts',
      'gameday-clock-skew.ts',
    ]) {
      expect(names).toContain(want);
    }
    expect(names.some((n) => n.startsWith('examples/') && n.endsWith('.json'))).toBe(true);
    expect(names.some((n) => n.startsWith('examples/') && n.endsWith('.yaml'))).toBe(true);
  });

  it.each(files)('%s', async (file) => {
    const plan = await loadScenario(file);
    expect(plan.totalDurationMs).toBeGreaterThan(0);
  });

  it('the game days carry what the brief asks for', async () => {
    const latency = await loadScenario('gameday-token-latency');
    expect(latency.faults).toEqual([
      {
        name: 'token latency 300ms',
        atMs: 10_000,
        forMs: 10_000,
        endpoint: 'token',
        toxic: { type: 'latency', attributes: { latency: 300 } },
      },
    ]);
    expect(latency.slo).toEqual({ p95Ms: 200, errorRate: 0.05, endpoint: 'token' });
    const outage = await loadScenario('gameday-idp-outage');
    expect(outage.faults).toEqual([{ name: 'token down', atMs: 10_000, forMs: 8000, endpoint: 'token', down: true }]);
    expect(outage.expectFailures).toEqual(['connection_refused']);
    const skew = await loadScenario('gameday-clock-skew');
    expect(skew.faults[0]).toMatchObject({ name: 'idp clock +120s', clockSkewMs: 120_000, atMs: 10_000, forMs: 10_000 });
    expect(skew.expectFailures).toEqual(['clock_skew']);
    const tokenP95 = await loadScenario('token-p95');
    expect([tokenP95.mode, tokenP95.startRatePerSec, tokenP95.totalDurationMs, tokenP95.thresholds]).toEqual([
      'token',
      100,
      20_000,
      ['token:p(95)<200'],
    ]);
    const capacity = await loadScenario('capacity');
    // Capacity searches for the knee instead of guessing a ramp (issue 14).
    expect(capacity.stages).toEqual([]);
    expect(capacity.search).toEqual({ startRatePerSec: 50, growth: 1.5, stepDurationMs: 10_000, settleMs: 2000, minSamples: 200, resolutionPct: 5, maxRatePerSec: 2000 });
    expect(capacity.slo).toEqual({ p95Ms: 200, errorRate: 0.01, endpoint: 'token' });
  });
});
