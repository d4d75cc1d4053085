import { expect } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

/** The one-line ERR_SCENARIO_INVALID message for `input` validated as `file`; fails when it is valid. */
export function invalidMessage(input: unknown, file: string | null = 'test.json'): string {
  try {
    validateScenario(input, file);
  } catch (err) {
    expect(isTokenstormError(err, 'ERR_SCENARIO_INVALID')).toBe(true);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the scenario to be rejected');
}

/** A minimal valid scenario with `load` overridden and top-level keys merged. */
export function scenario(extra: Record<string, unknown> = {}, load: Record<string, unknown> = {}): Record<string, unknown> {
  return { load: { ratePerSec: 10, duration: '60s', ...load }, ...extra };
}
