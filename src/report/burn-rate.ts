/**
 * SLO burn rate per phase (Google SRE workbook, "Alerting on SLOs"): how fast a phase spent the
 * error budget. burnRate = phase error rate ÷ SLO error rate (1 = exactly the allowed pace; the
 * alert rules in deploy/prometheus page above 5 sustained). budgetConsumed = the phase's failed
 * flows ÷ the whole run's budget (SLO error rate × flows ended in the run).
 */
import type { PhaseReport } from './schema.ts';

/** Burn rate and budget share of one phase; null when no flow ended in it (or in the run). */
export interface PhaseBurn {
  burnRate: number | null;
  budgetConsumed: number | null;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Burn rates of each phase against an SLO error rate (a share, e.g. 0.01). Pure.
 *
 * @example
 * phaseBurnRates([{ flows: { completed: 95, failed: 5 } }], 0.01); // [{ burnRate: 5, budgetConsumed: 5 }]
 */
export function phaseBurnRates(phases: ReadonlyArray<Pick<PhaseReport, 'flows'>>, sloErrorRate: number): PhaseBurn[] {
  const ended = (p: Pick<PhaseReport, 'flows'>): number => p.flows.completed + p.flows.failed;
  const runEnded = phases.reduce((n, p) => n + ended(p), 0);
  const budget = sloErrorRate * runEnded;
  return phases.map((p) => {
    const n = ended(p);
    if (n === 0 || !(sloErrorRate > 0)) return { burnRate: null, budgetConsumed: null };
    return { burnRate: round(p.flows.failed / n / sloErrorRate), budgetConsumed: budget > 0 ? round(p.flows.failed / budget) : null };
  });
}

/**
 * Sets `burnRate` and `budgetConsumed` on each phase of a report when its SLO has an error rate
 * (report assembly calls this once the phases and the SLO are in place).
 *
 * @example
 * withBurnRates(report); // report.phases[i].burnRate
 */
export function withBurnRates<R extends { phases: PhaseReport[]; slo?: { errorRate?: number } }>(report: R): R {
  const rate = report.slo?.errorRate;
  if (rate === undefined || !(rate > 0)) return report;
  const burns = phaseBurnRates(report.phases, rate);
  report.phases.forEach((p, i) => {
    p.burnRate = burns[i]!.burnRate;
    p.budgetConsumed = burns[i]!.budgetConsumed;
  });
  return report;
}
