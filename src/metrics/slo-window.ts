/**
 * The one judgement of "was this window healthy against the SLO", shared by the game-day
 * time-to-detect/recover (1 s windows, missing data is "cannot tell") and the capacity knee
 * (5 s windows, missing data is a breach). The window size and those two policies are parameters;
 * the rules are written once.
 */
import type { EndpointClass, SeriesPoint } from '../report/schema.ts';

/** The scenario's SLO as the verdicts need it; a null limit is not checked. */
export interface Slo {
  p95Ms: number | null;
  errorRate: number | null;
  endpoint: EndpointClass;
}

/** How a caller wants gaps and drops treated. */
export interface WindowPolicy {
  /**
   * `unknown`: a window with fewer than `minSamples` ended flows and endpoint samples cannot be
   * judged (null) unless it is stalled. `breach`: a limit that has no value to check is broken
   * (the endpoint stopped answering / no flow finished).
   */
  missing: 'unknown' | 'breach';
  /** Count dropped arrivals against the error-rate limit. */
  countDrops: boolean;
  /** Fewest ended flows or endpoint samples for a judgement (policy `unknown`). Default 1. */
  minSamples?: number;
}

/** The verdict on one window. */
export interface WindowJudgement {
  /** null: too little traffic to tell. */
  ok: boolean | null;
  /** Median of the per-second p95 values of the SLO endpoint over seconds with samples. */
  p95Ms: number | null;
  /** failed / (completed + failed); null when no flow ended. */
  errorRate: number | null;
  /** Why the window broke the SLO; null when ok or unknown. */
  breach: string | null;
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Judges one window (one or more consecutive per-second points) against the SLO.
 *
 * A window breaks when flows failed at more than `errorRate` (drops included when the policy says
 * so), when the endpoint's p95 (the median of its per-second p95s, which ignores a one-second GC
 * spike in a 5 s window) is over `p95Ms`, or when flows were in flight but none ended (a stall).
 *
 * @example
 * judgeWindow([point], { p95Ms: 200, errorRate: 0.01, endpoint: 'token' }, { missing: 'unknown', countDrops: true }).ok;
 */
export function judgeWindow(points: SeriesPoint[], slo: Slo, policy: WindowPolicy): WindowJudgement {
  let completed = 0;
  let failed = 0;
  let started = 0;
  let dropped = 0;
  let epCount = 0;
  let inFlight = false;
  const p95s: number[] = [];
  for (const p of points) {
    completed += p.completed;
    failed += p.failed;
    started += p.started;
    dropped += p.dropped;
    if (p.inFlight > 0) inFlight = true;
    const ep = p.endpoints[slo.endpoint];
    if (ep && ep.count > 0) {
      epCount += ep.count;
      p95s.push(ep.p95);
    }
  }
  p95s.sort((a, b) => a - b);
  const ended = completed + failed;
  const p95Ms = p95s.length === 0 ? null : median(p95s);
  const errorRate = ended === 0 ? null : failed / ended;
  const minSamples = policy.minSamples ?? 1;
  if (policy.missing === 'unknown' && ended < minSamples && epCount < minSamples) {
    // Nothing finished although flows are in flight: the target is stalled, which is a breach.
    const stalled = inFlight && started + dropped > 0;
    return { ok: stalled ? false : null, p95Ms, errorRate, breach: stalled ? 'flows in flight, none ended (stall)' : null };
  }
  const breaches: string[] = [];
  if (slo.p95Ms !== null) {
    if (p95Ms === null) {
      if (policy.missing === 'breach') breaches.push(`no ${slo.endpoint} samples`);
    } else if (p95Ms > slo.p95Ms) breaches.push(`${slo.endpoint} p95 ${p95Ms.toFixed(1)} ms > ${slo.p95Ms} ms`);
  }
  if (slo.errorRate !== null) {
    if (errorRate === null) {
      if (policy.missing === 'breach') breaches.push('no flow finished');
    } else if (errorRate > slo.errorRate) {
      breaches.push(`error rate ${(errorRate * 100).toFixed(2)}% > ${(slo.errorRate * 100).toFixed(2)}%`);
    }
    if (policy.countDrops && dropped > 0 && dropped / (started + dropped) > slo.errorRate) {
      breaches.push(`dropped ${((dropped / (started + dropped)) * 100).toFixed(2)}% of arrivals`);
    }
  }
  return { ok: breaches.length === 0, p95Ms, errorRate, breach: breaches.length === 0 ? null : breaches.join(', ') };
}
