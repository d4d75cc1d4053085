/**
 * The open model (arrival rate): flows start at their intended times whether or not earlier ones
 * finished, like real users. When no slot is free at an arrival's intended time, the arrival is
 * dropped and counted — never queued, which would hide the overload (coordinated omission).
 */
import type { Clock } from './clock.ts';

/** What the executor calls; all times are clock ms. */
export interface OpenExecutorHooks {
  /** Starts one unit of work scheduled for `intendedAt`; the promise settles when it ends. Must not reject. */
  start(intendedAt: number): Promise<unknown>;
  /** A start happened `lateMs` after its intended time. */
  started?(lateMs: number): void;
  /** An arrival was dropped (all slots busy, or the hook said no). */
  dropped?(intendedAt: number): void;
  /** Optional gate: return false to drop this arrival (e.g. the code bank is empty). */
  canStart?(): boolean;
}

/** Options for {@link runOpen}. */
export interface OpenExecutorOptions {
  clock: Clock;
  /** Next intended time relative to the run start (ms), or null when done. */
  nextArrival: () => number | null;
  maxInFlight: number;
  /** Stop after this many starts. */
  maxStarts?: number | null;
  /** Hard end of scheduling relative to the start (ms). */
  durationMs: number;
  /** An AbortSignal to stop early (SIGINT). */
  signal?: AbortSignal;
}

/**
 * Most arrivals handled in one timer wake. Past it the executor yields to the event loop (a 0 ms
 * timer), so signals, I/O and the flows it started keep running at any allowed rate, even when
 * it has fallen far behind the schedule.
 */
export const MAX_ARRIVALS_PER_WAKE = 1000;

/** Counters from one open-model run. */
export interface OpenExecutorResult {
  started: number;
  dropped: number;
  late: number;
}

/**
 * Runs the schedule and resolves when scheduling is over and every started unit has ended.
 *
 * @example
 * await runOpen({ clock: systemClock, nextArrival: () => sched.next(), maxInFlight: 256, durationMs: 10_000 },
 *   { start: (at) => runFlow(ctx, at) });
 */
export function runOpen(options: OpenExecutorOptions, hooks: OpenExecutorHooks): Promise<OpenExecutorResult> {
  const { clock, maxInFlight } = options;
  const t0 = clock.now();
  const result: OpenExecutorResult = { started: 0, dropped: 0, late: 0 };
  let inFlight = 0;
  let scheduling = true;
  let timer: unknown = null;
  let pending: number | null = options.nextArrival();
  // Every slot busy and arrivals coming faster than 1 ms apart: the executor waits for the first
  // slot to free (or 1 ms, so drops are still counted as they happen) instead of waking on every
  // event-loop turn only to drop. Arrivals due before that slot freed found none and are dropped.
  let waitingForSlot = false;
  let dropBefore = Number.NEGATIVE_INFINITY;

  return new Promise((resolve) => {
    const maybeDone = (): void => {
      if (!scheduling && inFlight === 0) resolve(result);
    };
    const stopScheduling = (): void => {
      if (!scheduling) return;
      scheduling = false;
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      maybeDone();
    };
    options.signal?.addEventListener('abort', stopScheduling, { once: true });
    if (options.signal?.aborted) stopScheduling();

    const tick = (): void => {
      timer = null;
      waitingForSlot = false;
      if (!scheduling) return;
      const now = clock.now();
      // Start every arrival that is due; at high rates one timer wake covers several.
      let handled = 0;
      while (pending !== null && t0 + pending <= now && handled++ < MAX_ARRIVALS_PER_WAKE) {
        if (pending >= options.durationMs || (options.maxStarts != null && result.started >= options.maxStarts)) {
          pending = null;
          break;
        }
        const intendedAt = t0 + pending;
        if (inFlight >= maxInFlight || intendedAt < dropBefore || (hooks.canStart && !hooks.canStart())) {
          result.dropped++;
          hooks.dropped?.(intendedAt);
        } else {
          const lateMs = now - intendedAt;
          result.started++;
          if (lateMs > 10) result.late++;
          hooks.started?.(lateMs);
          inFlight++;
          hooks.start(intendedAt).finally(() => {
            inFlight--;
            if (waitingForSlot && scheduling) {
              waitingForSlot = false;
              dropBefore = clock.now();
              if (timer !== null) clock.clearTimer(timer);
              timer = clock.setTimer(tick, 0);
            }
            maybeDone();
          });
        }
        pending = options.nextArrival();
      }
      if (pending === null || pending >= options.durationMs) {
        stopScheduling();
        return;
      }
      const delayMs = t0 + pending - clock.now();
      if (inFlight >= maxInFlight && delayMs < 1) {
        waitingForSlot = true;
        timer = clock.setTimer(tick, 1);
      } else {
        timer = clock.setTimer(tick, Math.max(0, delayMs));
      }
    };
    tick();
  });
}
