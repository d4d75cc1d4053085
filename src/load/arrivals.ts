/**
 * Intended start times for the open model: a piecewise-linear arrival rate (k6's
 * ramping-arrival-rate), integrated exactly so that arrival k happens when the cumulative
 * expected count reaches k. Times do not depend on when the harness manages to start flows —
 * that is what makes coordinated-omission correction possible.
 */
import type { RunPlan, Stage } from '../scenario/types.ts';

/**
 * Iterates intended arrival times (ms from the start of the run).
 *
 * @example
 * const a = new ArrivalSchedule(10, [{ durationMs: 1000, targetRatePerSec: 10 }]);
 * a.next(); // 0, then 100, 200, … 900, then null
 */
export class ArrivalSchedule {
  private readonly stages: Stage[];
  private readonly startRatePerSec: number;
  private stage = 0;
  private stageStartMs = 0;
  private stageStartCount = 0;
  private k: number;

  constructor(startRatePerSec: number, stages: Stage[]) {
    this.startRatePerSec = startRatePerSec;
    this.stages = stages;
    // With a rate above zero at t=0 the first flow starts at once; a ramp from zero waits for it.
    this.k = startRatePerSec > 0 ? 0 : 1;
  }

  private rateAtStageStart(i: number): number {
    return i === 0 ? this.startRatePerSec : (this.stages[i - 1]?.targetRatePerSec ?? 0);
  }

  /** Expected arrivals over the whole schedule. */
  expectedTotal(): number {
    let total = 0;
    this.stages.forEach((s, i) => {
      total += ((this.rateAtStageStart(i) + (s.targetRatePerSec ?? 0)) / 2) * (s.durationMs / 1000);
    });
    return total;
  }

  /** The intended time of the next arrival, or null when the schedule is over. */
  next(): number | null {
    while (this.stage < this.stages.length) {
      const s = this.stages[this.stage]!;
      const a = this.rateAtStageStart(this.stage);
      const b = s.targetRatePerSec ?? 0;
      const durSec = s.durationMs / 1000;
      const stageCount = ((a + b) / 2) * durSec;
      const need = this.k - this.stageStartCount;
      // The stage end is exclusive: an arrival exactly there belongs to the next stage (or, after
      // the last stage, to no one: the run is [0, total)).
      if (need < stageCount - 1e-9) {
        const slope = (b - a) / durSec;
        const tauSec = Math.abs(slope) < 1e-12 ? need / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * slope * need))) / slope;
        this.k++;
        return this.stageStartMs + tauSec * 1000;
      }
      this.stageStartCount += stageCount;
      this.stageStartMs += s.durationMs;
      this.stage++;
    }
    return null;
  }

  /** Rate (per second) the schedule asks for at `tMs`. */
  rateAt(tMs: number): number {
    let start = 0;
    for (let i = 0; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      if (tMs < start + s.durationMs) {
        const a = this.rateAtStageStart(i);
        const b = s.targetRatePerSec ?? 0;
        return a + ((b - a) * (tMs - start)) / s.durationMs;
      }
      start += s.durationMs;
    }
    return 0;
  }
}

/**
 * The highest arrival rate a plan asks for (flows/s, or token exchanges/s in token mode): the
 * search's ceiling for a capacity search, the largest stage target otherwise; null for a closed
 * model, whose rate is whatever the target allows.
 *
 * @example
 * peakRatePerSec({ model: 'open', startRatePerSec: 0, stages: [{ durationMs: 1000, targetRatePerSec: 50 }], search: null }); // 50
 */
export function peakRatePerSec(plan: Pick<RunPlan, 'model' | 'startRatePerSec' | 'stages' | 'search'>): number | null {
  if (plan.model !== 'open') return null;
  if (plan.search) return plan.search.maxRatePerSec;
  return plan.stages.reduce((peak, s) => Math.max(peak, s.targetRatePerSec ?? 0), plan.startRatePerSec);
}
