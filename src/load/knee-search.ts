/**
 * The capacity search's decisions, as pure functions over the steps run so far: which rate to
 * try next (geometric growth until a step breaks the SLO, then bisection between the last good and
 * the first bad rate), how long a step must be for a stable p95, how a step is judged, and what
 * the answer is. No clock, no I/O: the search executor (./search-drive.ts) runs the steps and
 * tests feed these functions fake results.
 */
import { judgeWindow, type Slo } from '../metrics/slo-window.ts';
import type { EndpointClass, KneeOutcome, KneeStep, SeriesPoint } from '../report/schema.ts';
import type { RunMode, SearchPlan } from '../scenario/types.ts';

/** A search never runs more steps than this, whatever the settings (every loop is bounded). */
export const MAX_SEARCH_STEPS = 40;

/** The error-rate limit a step is judged by when the scenario's SLO sets none (failures and drops). */
export const DEFAULT_SEARCH_ERROR_RATE = 0.01;

/** Steps are long enough to schedule this many times minSamples (see {@link stepDurationMsFor}). */
export const SAMPLE_MARGIN = 1.25;

/** What to do next. */
export type SearchDecision =
  | { next: 'step'; ratePerSec: number; kind: KneeStep['kind'] }
  | { next: 'done'; conclusion: SearchConclusion };

/** The answer of a finished (or stopped) search. */
export interface SearchConclusion {
  outcome: KneeOutcome;
  /** Highest rate at which the SLO held (a lower bound when harness-limited, interrupted or at the max rate); null when it never held. */
  kneeRatePerSec: number | null;
  /** Lowest rate above the knee at which the SLO broke; null when none did. */
  brokeAtRatePerSec: number | null;
  /** (brokeAt − knee) / knee in percent; null when the knee is not bracketed. */
  resolutionPct: number | null;
  /** The answer in words: "312.5/s ±5%", "at least 250/s, harness-limited", "below the start rate 50/s". */
  answer: string;
  /** Why it ended, with the breach or harness reason when there is one. */
  reason: string;
}

/** The part of a step the decisions read. */
export type StepOutcome = Pick<KneeStep, 'ratePerSec' | 'verdict' | 'sloOk' | 'breach' | 'harness'> & { kind?: KneeStep['kind'] };

const round1 = (x: number): number => Math.round(x * 10) / 10;
const rate = (r: number): string => `${round1(r)}/s`;

/**
 * How long a step at `ratePerSec` runs: the configured step duration, or longer when the judged
 * window (after the settle time) would otherwise be offered fewer than `minSamples` × 1.25
 * arrivals; whole seconds, because steps are judged on the recorder's whole-second series.
 *
 * @example
 * stepDurationMsFor({ ...search, stepDurationMs: 10_000, settleMs: 2000, minSamples: 100 }, 5); // 27_000
 */
export function stepDurationMsFor(search: SearchPlan, ratePerSec: number): number {
  // A quarter more than minSamples is scheduled: a target that keeps up finishes them all, and one
  // that finishes fewer than minSamples fell more than 20% behind the rate it was offered.
  const forSamples = search.settleMs + Math.ceil(((search.minSamples * SAMPLE_MARGIN) / ratePerSec) * 1000);
  return Math.ceil(Math.max(search.stepDurationMs, forSamples) / 1000) * 1000;
}

/**
 * An upper bound of a search's length (growth up to the max rate, then bisection to the
 * resolution), for progress output and for checking that faults fit in the run.
 *
 * @example
 * maxSearchDurationMs(plan.search); // 150_000
 */
export function maxSearchDurationMs(search: SearchPlan): number {
  const growSteps = Math.ceil(Math.log(search.maxRatePerSec / search.startRatePerSec) / Math.log(search.growth)) + 1;
  const bisectSteps = Math.max(0, Math.ceil(Math.log2(Math.log(search.growth) / Math.log(1 + search.resolutionPct / 100)))) + 1;
  // One confirmation of the first break.
  const steps = Math.min(MAX_SEARCH_STEPS, growSteps + 1 + bisectSteps);
  return steps * stepDurationMsFor(search, search.startRatePerSec);
}

/**
 * The next step, or the conclusion. Reads only the steps' rates and verdicts:
 * - nothing run yet: the start rate;
 * - the last step was harness-limited: stop, the knee is "at least" the highest good rate;
 * - a growing step broke: the same rate once more (`confirm`); only a rate whose latest attempt
 *   broke counts as bad;
 * - no step broke yet: the last good rate × growth (capped at the max rate; at the max: stop);
 * - the first step broke: stop, "below the start rate";
 * - otherwise bisect (geometric mean, since the resolution is relative) between the highest good
 *   rate and the lowest bad rate above it, until they are within `resolutionPct`.
 *
 * @example
 * nextSearchStep(search, []); // { next: 'step', ratePerSec: 50, kind: 'grow' }
 */
export function nextSearchStep(search: SearchPlan, steps: readonly StepOutcome[]): SearchDecision {
  if (steps.length === 0) return { next: 'step', ratePerSec: round1(search.startRatePerSec), kind: 'grow' };
  const good = highestGood(steps);
  const last = steps[steps.length - 1]!;
  if (last.verdict === 'harness-limited') {
    const why = `the harness was the bottleneck at ${rate(last.ratePerSec)}: ${last.harness ?? 'see the harness section'}`;
    return done('harness-limited', good, null, good === null ? `no answer (harness-limited at ${rate(last.ratePerSec)})` : `at least ${rate(good)}, harness-limited`, why);
  }
  // A growing step that broke runs once more before it counts: a burst of noise (another process,
  // a GC pause) would otherwise cut the search short by a whole growth factor.
  if (last.verdict === 'breach' && (last.kind ?? 'grow') === 'grow' && steps.length < MAX_SEARCH_STEPS) {
    return { next: 'step', ratePerSec: last.ratePerSec, kind: 'confirm' };
  }
  const bad = lowestBadAbove(steps, good);
  if (bad === null) {
    const from = good ?? search.startRatePerSec;
    if (from >= search.maxRatePerSec) {
      return done('max-rate', from, null, `at least ${rate(from)} (load.search.maxRatePerSec)`, `the SLO held up to the max rate ${rate(search.maxRatePerSec)}`);
    }
    if (steps.length >= MAX_SEARCH_STEPS) return stepLimit(good, null);
    return { next: 'step', ratePerSec: round1(Math.min(from * search.growth, search.maxRatePerSec)), kind: 'grow' };
  }
  if (good === null) {
    const first = steps.findLast((s) => s.ratePerSec === bad);
    return done('below-start', null, bad, `below the start rate ${rate(search.startRatePerSec)}`, `the first step broke the SLO: ${first?.breach ?? 'breach'} at ${rate(bad)}`);
  }
  const resolutionPct = ((bad - good) / good) * 100;
  const mid = round1(Math.sqrt(good * bad));
  if (resolutionPct <= search.resolutionPct || mid <= good || mid >= bad) {
    const brokeStep = steps.findLast((s) => s.ratePerSec === bad);
    return done('found', good, bad, `${rate(good)} ±${fmtPct(resolutionPct)}`, `the SLO held at ${rate(good)} and broke at ${rate(bad)}: ${brokeStep?.breach ?? 'breach'}`);
  }
  if (steps.length >= MAX_SEARCH_STEPS) return stepLimit(good, bad);
  return { next: 'step', ratePerSec: mid, kind: 'bisect' };
}

/**
 * The conclusion of a search stopped before it decided (Ctrl-C, a lost target): what the steps so
 * far show, as a lower bound.
 *
 * @example
 * interruptedConclusion(steps).answer; // 'at least 120/s (interrupted)'
 */
export function interruptedConclusion(steps: readonly StepOutcome[]): SearchConclusion {
  const good = highestGood(steps);
  const bad = lowestBadAbove(steps, good);
  return done('interrupted', good, bad, good === null ? 'no answer (interrupted)' : `at least ${rate(good)} (interrupted)`, `the search stopped after ${steps.length} step(s)`).conclusion;
}

/** How the harness itself did during a step. */
export interface StepHarness {
  /** p95 of how late flows started after their intended time, ms. */
  lateP95Ms: number;
  /** Event-loop delay p99 over the step's scheduling, ms. */
  loopP99Ms: number;
  /** Harness CPU over the step, cores. */
  cpuCores: number;
}

// The harness's own delay counts as a cause of a breach once it is a quarter of the latency budget
// (and at least these floors, below which it is timer granularity on a busy machine).
const LATE_FLOOR_MS = 10;
const LOOP_FLOOR_MS = 50;
const CPU_LIMIT_CORES = 0.9;

/**
 * Why the harness, not the target, may have caused a step's numbers; null when it kept up. Starts
 * late by more than a quarter of the p95 budget, an event loop that lagged as much, or a harness
 * using a whole core: latencies are measured from the intended start, so the harness's own delay is
 * in them.
 *
 * @example
 * harnessProblem({ lateP95Ms: 120, loopP99Ms: 20, cpuCores: 0.3 }, 200); // 'flow starts p95 120 ms late (> 50 ms)'
 */
export function harnessProblem(h: StepHarness, sloP95Ms: number | null): string | null {
  const budget = sloP95Ms === null ? 0 : sloP95Ms / 4;
  const lateLimit = Math.max(LATE_FLOOR_MS, budget);
  const loopLimit = Math.max(LOOP_FLOOR_MS, budget);
  const reasons: string[] = [];
  if (h.lateP95Ms > lateLimit) reasons.push(`flow starts p95 ${round1(h.lateP95Ms)} ms late (> ${round1(lateLimit)} ms)`);
  if (h.loopP99Ms > loopLimit) reasons.push(`event-loop delay p99 ${round1(h.loopP99Ms)} ms (> ${round1(loopLimit)} ms)`);
  if (h.cpuCores > CPU_LIMIT_CORES) reasons.push(`harness used ${h.cpuCores} cores (> ${CPU_LIMIT_CORES})`);
  return reasons.length === 0 ? null : reasons.join('; ');
}

/** A step's judged numbers, before the verdict. */
export interface StepJudgement {
  p95Ms: number | null;
  errorRate: number | null;
  samples: number;
  sloOk: boolean;
  breach: string | null;
  verdict: KneeStep['verdict'];
}

/**
 * How much of the SLO endpoint's latency the harness itself may have added in a step: a late start
 * counts when the endpoint is timed from the intended start (the whole flow, or token mode), and a
 * lagging event loop delays the handling of every exchange the endpoint spans (a flow is about six).
 *
 * @example
 * harnessDelayMs({ lateP95Ms: 40, loopP99Ms: 20, cpuCores: 0.4 }, { endpoint: 'flow', mode: 'flow', exchangesPerFlow: 6 }); // 160
 */
export function harnessDelayMs(h: StepHarness, on: { endpoint: EndpointClass; mode: RunMode; exchangesPerFlow: number }): number {
  const wholeFlow = on.endpoint === 'flow';
  // Token, refresh and client-credentials units are one exchange timed from its intended start.
  const fromIntendedStart = wholeFlow || on.mode !== 'flow';
  const exchanges = wholeFlow && on.mode === 'flow' ? Math.max(1, on.exchangesPerFlow) : 1;
  return (fromIntendedStart ? h.lateP95Ms : 0) + exchanges * h.loopP99Ms;
}

/** What the harness check found in a step (see {@link harnessProblem}). */
export interface HarnessFinding {
  /** Why the harness may have caused the numbers; null when it kept up. */
  problem: string | null;
  /** The harness's own share of the SLO endpoint's latency ({@link harnessDelayMs}), ms. */
  delayMs: number;
}

/**
 * Judges one step from the seconds of its judged window: the shared SLO window judgement
 * (missing data is a breach, dropped arrivals count against the error rate), plus too few samples
 * and a growing backlog (far fewer flows ended than started in the window) are breaches. A breach is
 * `harness-limited` instead when the harness had a problem and its own delay explains it: no
 * failures or drops over the limit, and p95 minus the harness's delay would be within it. A step whose
 * SLO held is ok whatever the harness did (its delay is in the latencies, making them worse).
 *
 * @example
 * judgeStep(points, { p95Ms: 200, errorRate: 0.01, endpoint: 'token' }, 100, { problem: null, delayMs: 2 }).verdict; // 'ok'
 */
export function judgeStep(points: readonly SeriesPoint[], slo: Slo, minSamples: number, harness: HarnessFinding): StepJudgement {
  const judged = { ...slo, errorRate: slo.errorRate ?? DEFAULT_SEARCH_ERROR_RATE };
  const j = judgeWindow([...points], judged, { missing: 'breach', countDrops: true });
  const samples = points.reduce((a, p) => a + (p.endpoints[slo.endpoint]?.count ?? 0), 0);
  const breaches = j.breach === null ? [] : [j.breach];
  if (samples < minSamples) breaches.push(`only ${samples} ${slo.endpoint} samples (< ${minSamples})`);
  const behind = fellBehind(points);
  if (behind !== null) breaches.push(behind);
  const sloOk = breaches.length === 0;
  // Failures and drops are the target's (or the run's maxInFlight); latency and a shortfall of
  // finished samples can be the harness's own lag.
  const latencyOnly = (j.errorRate ?? 0) <= judged.errorRate && !(j.breach ?? '').includes('dropped');
  const p95Explained = slo.p95Ms === null || j.p95Ms === null || j.p95Ms - harness.delayMs <= slo.p95Ms;
  const explained = !sloOk && harness.problem !== null && latencyOnly && p95Explained;
  return {
    p95Ms: j.p95Ms,
    errorRate: j.errorRate,
    samples,
    sloOk,
    breach: sloOk ? null : breaches.join(', '),
    verdict: sloOk ? 'ok' : explained ? 'harness-limited' : 'breach',
  };
}

/**
 * The open model's own overload signal: flows pile up in flight (in the client's connection queue
 * as much as in the IdP) while each request still looks fast. At a steady rate as many flows end
 * per second as start; a window that ended fewer than its starts, by more than one second's worth
 * of arrivals and more than 10%, fell behind.
 */
function fellBehind(points: readonly SeriesPoint[]): string | null {
  const started = points.reduce((a, p) => a + p.started, 0);
  const ended = points.reduce((a, p) => a + p.completed + p.failed, 0);
  if (points.length === 0 || started === 0) return null;
  const allowance = Math.max(0.1 * started, started / points.length);
  return started - ended > allowance ? `fell behind: ${ended} flows ended of ${started} started` : null;
}

/** Each rate's latest attempt: a confirmation overrides the step it repeated. */
function latestByRate(steps: readonly StepOutcome[]): StepOutcome[] {
  const byRate = new Map<number, StepOutcome>();
  for (const s of steps) byRate.set(s.ratePerSec, s);
  return [...byRate.values()];
}

function highestGood(steps: readonly StepOutcome[]): number | null {
  const rates = latestByRate(steps)
    .filter((s) => s.verdict === 'ok')
    .map((s) => s.ratePerSec);
  return rates.length === 0 ? null : Math.max(...rates);
}

function lowestBadAbove(steps: readonly StepOutcome[], good: number | null): number | null {
  const rates = latestByRate(steps)
    .filter((s) => s.verdict === 'breach' && (good === null || s.ratePerSec > good))
    .map((s) => s.ratePerSec);
  return rates.length === 0 ? null : Math.min(...rates);
}

function done(outcome: KneeOutcome, knee: number | null, brokeAt: number | null, answer: string, reason: string): SearchDecision & { next: 'done' } {
  const resolutionPct = knee !== null && brokeAt !== null ? Math.round(((brokeAt - knee) / knee) * 1000) / 10 : null;
  return { next: 'done', conclusion: { outcome, kneeRatePerSec: knee, brokeAtRatePerSec: brokeAt, resolutionPct, answer, reason } };
}

function stepLimit(good: number | null, bad: number | null): SearchDecision {
  return done('step-limit', good, bad, good === null ? 'no answer (step limit)' : `at least ${rate(good)}`, `stopped after ${MAX_SEARCH_STEPS} steps`);
}

function fmtPct(x: number): string {
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}%`;
}
