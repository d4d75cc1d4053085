import { describe, expect, it } from 'vitest';
import { describePlan } from '../../../src/scenario/describe.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const load = { ratePerSec: 10, duration: '10s' };
const problems = (probes: unknown): string => {
  try {
    validateScenario({ load, probes }, 'test.json');
  } catch (err) {
    return (err as Error).message;
  }
  return 'valid';
};

describe('scenario probes section', () => {
  it('defaults and normalised ids', () => {
    const plan = validateScenario({ load, probes: { ratePerSec: 2, only: ['p9', 'ISS'] } }, 'test.json');
    expect(plan.probes).toEqual({ ratePerSec: 2, only: ['P9', 'iss'], except: [], codeTtlSec: null, secondClientId: null, parallelRedemptions: 8, maxWaitMs: 15_000 });
    expect(describePlan(plan)).toMatch(/^Security probes: P9, iss \(2\/s under load, on their own recorder; findings exit 4\)$/m);
    expect(validateScenario({ load }, 'test.json').probes).toBeUndefined();
  });

  it('every problem named with its path', () => {
    expect(problems({ ratePerSec: 0, only: ['P99'], except: 'P1', parallelRedemptions: 1, speed: 1 })).toBe(
      'test.json: probes.speed is not a known key (known keys: ratePerSec, only, except, codeTtlSec, secondClientId, parallelRedemptions, maxWait); probes.ratePerSec must be > 0 (got 0); probes.only[0] is not a probe id (did you mean P9?); probes.except must be an array (got string); probes.parallelRedemptions must be an integer between 2 and 64 (got 1)',
    );
  });
});
