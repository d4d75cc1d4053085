/**
 * Drives a workload with the plan's executor (open arrival-rate or closed VUs), counting what is in
 * flight and turning a harness bug in one unit into a recorded `other` failure instead of a dead run.
 */
import type { Recorder } from '../metrics/recorder.ts';
import type { RunPlan } from '../scenario/types.ts';
import { ArrivalSchedule } from './arrivals.ts';
import { systemClock } from './clock.ts';
import { runClosed } from './closed-executor.ts';
import { type OpenExecutorHooks, runOpen } from './open-executor.ts';
import { type Segment, segmentArrivals } from './segment.ts';
import type { Workload } from './workloads/types.ts';

/** After an abort, in-flight units get this long before the run winds down and cuts their connections. */
export const ABORT_GRACE_MS = 2000;

/**
 * After the planned duration, units still in flight get one request deadline (at most 10 s) to end;
 * then the run winds down whatever the target does (a trickling or silent IdP cannot hold it), and
 * what did not end is reported as unfinished.
 */
export function drainGraceMs(plan: RunPlan): number {
  return Math.min(plan.requestTimeoutMs, 10_000);
}

/** Units of work in flight (read by the recorder's series and the live view). */
export class InFlight {
  count = 0;
  // Most in flight since the last sample: the series records each second's peak, not the count at
  // the instant the second closed (at 20 flows/s that instant is usually between flows).
  private peakSinceSample = 0;

  enter(): void {
    this.count++;
    if (this.count > this.peakSinceSample) this.peakSinceSample = this.count;
  }

  leave(): void {
    this.count--;
  }

  /** The most in flight since the previous call. */
  samplePeak(): number {
    const peak = this.peakSinceSample;
    this.peakSinceSample = this.count;
    return peak;
  }
}

/**
 * Runs the load to its end, or until `signal` aborts plus {@link ABORT_GRACE_MS}.
 *
 * @example
 * const inFlight = new InFlight();
 * await driveLoad(plan, workload, recorder, inFlight, abort.signal);
 */
export async function driveLoad(plan: RunPlan, workload: Workload, recorder: Recorder, inFlight: InFlight, signal: AbortSignal, segment?: Segment): Promise<void> {
  const hooks = openHooks(workload, recorder, inFlight);
  let work: Promise<unknown>;
  if (plan.model === 'closed') {
    work = runClosed({ clock: systemClock, stages: plan.stages, startVus: plan.stages[0]?.vus ?? 1, maxStarts: plan.maxFlows, signal }, (at) => {
      recorder.flowStarted(0);
      return hooks.start(at);
    });
  } else {
    const whole = new ArrivalSchedule(plan.startRatePerSec, plan.stages);
    // One execution segment of N runs arrivals k ≡ index (mod N), at their whole-schedule times.
    const schedule = segment ? segmentArrivals(whole, segment) : whole;
    work = runOpen(
      { clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: plan.maxInFlight, maxStarts: plan.maxFlows, durationMs: plan.totalDurationMs, signal },
      hooks,
    );
  }
  await Promise.race([work, abortedWithGrace(signal), sleep(plan.totalDurationMs + drainGraceMs(plan))]);
}

/**
 * The open executor's hooks for a workload: starts, drops and lateness go to the recorder, units
 * are counted in flight, and a harness bug in one unit becomes a recorded `other` failure.
 *
 * @example
 * await runOpen({ clock: systemClock, nextArrival, maxInFlight: 256, durationMs: 10_000 }, openHooks(workload, recorder, inFlight));
 */
export function openHooks(workload: Workload, recorder: Recorder, inFlight: InFlight): Required<Omit<OpenExecutorHooks, 'canStart'>> & Pick<OpenExecutorHooks, 'canStart'> {
  return {
    ...(workload.canStart ? { canStart: () => workload.canStart!() } : {}),
    started: (lateMs) => recorder.flowStarted(lateMs),
    dropped: () => recorder.flowDropped(),
    start: async (intendedAt: number): Promise<void> => {
      inFlight.enter();
      try {
        await workload.start(intendedAt);
      } catch (err) {
        // A bug in a flow must not kill the run; it is counted as `other` with its message.
        recorder.failure({ failureClass: 'other', endpoint: 'flow', description: `harness error: ${err instanceof Error ? err.message : String(err)}` });
      } finally {
        inFlight.leave();
      }
    },
  };
}

/**
 * Resolves {@link ABORT_GRACE_MS} after `signal` aborts (never when it does not): raced against the
 * executor, so in-flight units get a grace period and then the run winds down regardless.
 *
 * @example
 * await Promise.race([work, abortedWithGrace(signal)]);
 */
export async function abortedWithGrace(signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sleep(ABORT_GRACE_MS);
}

/** Resolves after `ms` (≤ 0: at once) without holding the process open. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)).unref());
}
