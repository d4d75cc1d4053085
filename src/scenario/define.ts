/**
 * The one helper scenario files import: it only gives the object its type, so an editor checks keys
 * and values while the author writes. Validation happens when the scenario is loaded.
 */
import type { ScenarioInput } from './types.ts';

/**
 * Types a scenario's default export.
 *
 * @example
 * import { defineScenario } from 'tokenstorm';
 * export default defineScenario({ load: { ratePerSec: 20, duration: '10s' } });
 */
export function defineScenario(s: ScenarioInput): ScenarioInput {
  return s;
}
