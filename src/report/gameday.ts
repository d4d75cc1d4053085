/**
 * Game-day numbers per fault: time-to-detect (from the fault's start to the end of the first
 * one-second window outside the SLO) and time-to-recover (from the fault's end to the start of the
 * first window from which the SLO held for `stableWindows` windows in a row, or to the end of the
 * run). Both come from the per-second series, so they are as fine as one second.
 */
import { judgeWindow, type Slo } from '../metrics/slo-window.ts';
import type { FaultOutcome, SeriesPoint } from './schema.ts';

export type { Slo } from '../metrics/slo-window.ts';
import type { Fault } from '../scenario/types.ts';

/**
 * Whether one second is within the SLO; null when it has too little traffic to tell (see
 * {@link judgeWindow}: game days count drops and call a stall a breach).
 */
export function windowHealthy(p: SeriesPoint, slo: Slo, minSamples = 1): boolean | null {
  return judgeWindow([p], slo, { missing: 'unknown', countDrops: true, minSamples }).ok;
}

/**
 * Computes {@link FaultOutcome}s.
 *
 * @example
 * const outcomes = faultOutcomes(plan.faults, timeline.timings, report.series, plan.slo);
 */
export function faultOutcomes(
  faults: Fault[],
  timings: Array<{ appliedAtMs: number | null; removedAtMs: number | null }>,
  series: SeriesPoint[],
  slo: Slo,
  stableWindows = 3,
): FaultOutcome[] {
  return faults.map((f, i) => {
    const startMs = timings[i]?.appliedAtMs ?? f.atMs;
    const endMs = timings[i]?.removedAtMs ?? f.atMs + f.forMs;
    let ttd: number | null = null;
    for (const p of series) {
      const wStart = p.t * 1000;
      const wEnd = wStart + 1000;
      if (wEnd <= startMs) continue;
      if (wStart > endMs + 1000) break;
      if (windowHealthy(p, slo) === false) {
        ttd = Math.max(0, wEnd - startMs);
        break;
      }
    }
    let ttr: number | null = null;
    const after = series.filter((p) => p.t * 1000 >= Math.floor(endMs / 1000) * 1000);
    for (let j = 0; j < after.length; j++) {
      const run = after.slice(j, j + stableWindows);
      // A streak that reaches the end of the run counts even when shorter than stableWindows.
      if (run.length > 0 && run.every((p) => windowHealthy(p, slo) !== false) && (run.length === stableWindows || j + run.length === after.length)) {
        ttr = Math.max(0, after[j]!.t * 1000 - endMs);
        break;
      }
    }
    return { fault: f.name, phase: f.name, atMs: Math.round(startMs), forMs: Math.round(endMs - startMs), timeToDetectMs: ttd === null ? null : Math.round(ttd), timeToRecoverMs: ttr === null ? null : Math.round(ttr) };
  });
}
