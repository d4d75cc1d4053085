/**
 * Security probes mixed into a load run (a scenario's `probes: { ratePerSec }`): the catalogue,
 * round robin, at its own arrival rate beside the load, on the run's own HTTP client and target,
 * so races (P9) and replays meet the IdP under load and under faults. Probe traffic has its own
 * recorder: it never enters the load's histograms or the SLO.
 */
import type { FlowContext } from '../flow/pkce-flow.ts';
import { SECOND_CLIENT_ID } from '../idp/constants.ts';
import { ArrivalSchedule } from '../load/arrivals.ts';
import { systemClock } from '../load/clock.ts';
import { runOpen } from '../load/open-executor.ts';
import { Recorder } from '../metrics/recorder.ts';
import { createProbeContext } from '../probe/context.ts';
import { ProbeMix } from '../probe/mix.ts';
import { selectProbes } from '../probe/runner.ts';
import type { Finding, ProbeOutcome } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';
import type { Target } from '../target/types.ts';

// Probes at once: a probe holds a few requests (P9 holds parallelRedemptions); more would be load.
const MAX_PROBES_IN_FLIGHT = 4;

/** A running probe mix. */
export interface ProbeMixRun {
  /** Settles when the schedule is over and every probe has ended. */
  done: Promise<unknown>;
  summary(): { outcomes: ProbeOutcome[]; findings: Finding[] };
}

/**
 * Starts the plan's probe mix, or returns null when the scenario mixes none in.
 *
 * @example
 * const probes = startProbeMix(plan, ctx, target, abort.signal);
 * await probes?.done; report.findings = probes?.summary().findings;
 */
export function startProbeMix(plan: RunPlan, ctx: FlowContext, target: Target, signal: AbortSignal): ProbeMixRun | null {
  const cfg = plan.probes;
  if (!cfg?.ratePerSec) return null;
  const embedded = target.kind === 'embedded';
  const pc = createProbeContext(ctx, {
    recorder: new Recorder({ now: () => 0 }),
    offlineAccess: embedded,
    secondClientId: cfg.secondClientId ?? (embedded ? SECOND_CLIENT_ID : null),
    codeTtlSec: cfg.codeTtlSec ?? (embedded ? plan.target.codeTtlSec : null),
    parallelRedemptions: cfg.parallelRedemptions,
  });
  const mix = new ProbeMix(pc, selectProbes(cfg.only, cfg.except));
  const schedule = new ArrivalSchedule(cfg.ratePerSec, [{ durationMs: plan.totalDurationMs, targetRatePerSec: cfg.ratePerSec }]);
  const done = runOpen(
    { clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: MAX_PROBES_IN_FLIGHT, durationMs: plan.totalDurationMs, signal },
    { start: () => mix.runNext().catch(() => null) },
  );
  return { done, summary: () => mix.summary() };
}
