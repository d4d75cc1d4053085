/**
 * The knee section of a capacity search's report: the search's own answer (one number with its
 * resolution, or why there is none) and every step it ran. Pure; the decisions were made while the
 * search ran (src/load/knee-search.ts).
 */
import type { SearchOutcome } from '../load/search-executor.ts';
import type { SearchPlan } from '../scenario/types.ts';
import type { KneeReport } from './schema.ts';

/**
 * Builds `report.knee` for a search.
 *
 * @example
 * report.knee = kneeFromSearch(plan.search, measured.search); // { method: 'search', sustainedRatePerSec: 312.5, answer: '312.5/s ±4.1%', … }
 */
export function kneeFromSearch(search: SearchPlan, outcome: SearchOutcome): KneeReport {
  const c = outcome.conclusion;
  return {
    sustainedRatePerSec: c.kneeRatePerSec,
    brokeAtRatePerSec: c.brokeAtRatePerSec,
    reason: c.reason,
    method: 'search',
    resolutionPct: c.resolutionPct,
    targetResolutionPct: search.resolutionPct,
    harnessLimited: c.outcome === 'harness-limited',
    outcome: c.outcome,
    answer: c.answer,
    steps: outcome.steps,
  };
}

/**
 * Why a knee gives no number a gate can trust, or null when it does: a threshold on the knee
 * fails with this as its explanation.
 *
 * @example
 * kneeProblem(report.knee); // 'no knee: below the start rate 50/s'
 */
export function kneeProblem(knee: KneeReport | undefined): string | null {
  if (!knee) return 'no knee: the run neither searched (load.search) nor ramped with an SLO';
  if (knee.sustainedRatePerSec === null) return `no knee: ${knee.answer ?? knee.reason ?? 'the SLO never held'}`;
  if (knee.harnessLimited) return `harness-limited: the knee is at least ${knee.sustainedRatePerSec}/s (a lower bound)`;
  if (knee.outcome === 'interrupted' || knee.outcome === 'step-limit') return `${knee.answer ?? 'incomplete search'}: a lower bound`;
  return null;
}
