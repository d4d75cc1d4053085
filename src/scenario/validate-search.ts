/**
 * Validation of `load.search` (the capacity search): every problem names its full path, defaults
 * are filled in, and the plan carries an upper bound of the search's length.
 */
import { maxSearchDurationMs } from '../load/knee-search.ts';
import { dur, num, objectAt, type Problems } from './checks.ts';
import { formatDuration } from './duration.ts';
import type { SearchPlan } from './types.ts';

const SEARCH_KEYS = ['startRatePerSec', 'growth', 'stepDuration', 'settle', 'minSamples', 'resolutionPct', 'maxRatePerSec'];
const PATH = 'load.search';

/** Defaults of `load.search` (also shown by the dry-run). */
export const SEARCH_DEFAULTS = {
  growth: 1.5,
  stepDurationMs: 10_000,
  settleMs: 2000,
  minSamples: 100,
  resolutionPct: 5,
  maxRatePerSec: 5000,
} as const;

/**
 * Reads `load.search`; null (with problems) when it is wrong.
 *
 * @example
 * readSearch({ startRatePerSec: 50 }, problems)?.plan.growth; // 1.5
 */
export function readSearch(v: unknown, p: Problems): { plan: SearchPlan; maxDurationMs: number } | null {
  const o = objectAt(v, PATH, SEARCH_KEYS, p);
  if (o === null) return null;
  const before = p.length;
  const d = SEARCH_DEFAULTS;
  if (o.startRatePerSec === undefined) p.push(`${PATH}.startRatePerSec is required (the rate of the first step, e.g. 50)`);
  const startRatePerSec = num(o, 'startRatePerSec', PATH, { above: 0 }, p);
  const growth = num(o, 'growth', PATH, { above: 1, max: 10 }, p) ?? d.growth;
  const stepDurationMs = dur(o, 'stepDuration', PATH, { positive: true }, p) ?? d.stepDurationMs;
  const settleMs = dur(o, 'settle', PATH, {}, p) ?? d.settleMs;
  const minSamples = num(o, 'minSamples', PATH, { integer: true, min: 1 }, p) ?? d.minSamples;
  const resolutionPct = num(o, 'resolutionPct', PATH, { above: 0, max: 100 }, p) ?? d.resolutionPct;
  const maxRatePerSec = num(o, 'maxRatePerSec', PATH, { above: 0 }, p) ?? d.maxRatePerSec;
  // Steps are judged on the recorder's whole-second series.
  for (const [key, ms] of [['stepDuration', stepDurationMs], ['settle', settleMs]] as const) {
    if (ms % 1000 !== 0) p.push(`${PATH}.${key} must be whole seconds (got ${formatDuration(ms)}): steps are judged on whole seconds`);
  }
  if (settleMs + 1000 > stepDurationMs) {
    p.push(`${PATH}.settle (${formatDuration(settleMs)}) must leave at least 1s of ${PATH}.stepDuration (${formatDuration(stepDurationMs)}) to judge`);
  }
  if (startRatePerSec !== undefined && maxRatePerSec <= startRatePerSec) {
    const which = o.maxRatePerSec === undefined ? `the default ${PATH}.maxRatePerSec (${maxRatePerSec})` : `${PATH}.maxRatePerSec (${maxRatePerSec})`;
    p.push(`${which} must be above ${PATH}.startRatePerSec (${startRatePerSec})`);
  }
  if (p.length > before || startRatePerSec === undefined) return null;
  const plan: SearchPlan = { startRatePerSec, growth, stepDurationMs, settleMs, minSamples, resolutionPct, maxRatePerSec };
  return { plan, maxDurationMs: maxSearchDurationMs(plan) };
}
