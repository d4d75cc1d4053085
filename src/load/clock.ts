/**
 * Time as the executors see it. Production uses performance.now() and timers; unit tests inject a
 * manual clock so schedules are tested without wall-clock assertions.
 */
import { performance } from 'node:perf_hooks';

/** A monotonic clock with timers. */
export interface Clock {
  /** Milliseconds, monotonic (performance.now() in production). */
  now(): number;
  /** Calls `fn` after `delayMs` (≥ 0). */
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Delays below this run on the next turn of the event loop (setImmediate) instead of a timer:
 * Node rounds every timer up to 1 ms, so an open model at tens of thousands of arrivals/s woke
 * about 1,000 times a second, and a connection freed just after a wake sat idle until the next
 * one (bench token-raw: 22k requests/s from a client that sends 60k). Longer delays keep their
 * timer, so nothing spins while waiting.
 */
export const IMMEDIATE_BELOW_MS = 0.05;

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, delayMs) => (delayMs < IMMEDIATE_BELOW_MS ? { immediate: setImmediate(fn) } : setTimeout(fn, delayMs)),
  clearTimer: (h) => {
    if (typeof h === 'object' && h !== null && 'immediate' in h) clearImmediate((h as { immediate: NodeJS.Immediate }).immediate);
    else clearTimeout(h as NodeJS.Timeout);
  },
};

/**
 * A clock moved by hand, for tests.
 *
 * @example
 * const c = new ManualClock(); c.setTimer(f, 10); await c.advance(10); // f ran
 */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  /** Every timer fires this much after its due time, like a busy event loop. */
  timerLagMs: number;

  constructor(timerLagMs = 0) {
    this.timerLagMs = timerLagMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, delayMs: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, delayMs) + this.timerLagMs, fn });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, tm] of this.timers) {
        if (tm.at < nextAt || (tm.at === nextAt && id < nextId)) {
          nextAt = tm.at;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > end) break;
      const tm = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
      await flushMicrotasks();
    }
    this.t = end;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
