/**
 * The closed model (fixed or ramping VUs): each virtual user starts its next flow when the last
 * one ended. It exists to compare with tools that only have this model; its latency hides
 * overload (a slow IdP slows the arrivals), which the report states.
 */
import type { Stage } from '../scenario/types.ts';
import type { Clock } from './clock.ts';

/** Options for {@link runClosed}. */
export interface ClosedExecutorOptions {
  clock: Clock;
  /** VU stages; VUs ramp linearly from `startVus` to each stage's `vus`. */
  stages: Stage[];
  startVus: number;
  maxStarts?: number | null;
  signal?: AbortSignal;
  /** How often the VU count is adjusted, ms. */
  adjustEveryMs?: number;
}

/** VUs wanted at `tMs` (linear within a stage). */
export function vusAt(startVus: number, stages: Stage[], tMs: number): number {
  let start = 0;
  let from = startVus;
  for (const s of stages) {
    const to = s.vus ?? from;
    if (tMs < start + s.durationMs) return Math.round(from + ((to - from) * (tMs - start)) / s.durationMs);
    start += s.durationMs;
    from = to;
  }
  return 0;
}

/**
 * Runs VUs until the stages end; resolves when every VU has finished its last flow.
 *
 * @example
 * await runClosed({ clock: systemClock, stages: [{ durationMs: 10_000, vus: 8 }], startVus: 8 }, (at) => runFlow(ctx, at));
 */
export function runClosed(options: ClosedExecutorOptions, start: (intendedAt: number) => Promise<unknown>): Promise<{ started: number }> {
  const { clock } = options;
  const t0 = clock.now();
  const totalMs = options.stages.reduce((a, s) => a + s.durationMs, 0);
  let running = 0;
  let wanted = 0;
  let started = 0;
  let over = false;
  let timer: unknown = null;

  return new Promise((resolve) => {
    const done = (): void => {
      if (over && running === 0) resolve({ started });
    };
    const finish = (): void => {
      over = true;
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      done();
    };
    options.signal?.addEventListener('abort', finish, { once: true });

    const vu = async (): Promise<void> => {
      running++;
      // A VU beyond the wanted count retires after its current flow (k6 does the same on ramp-down).
      while (!over && running <= wanted) {
        if (options.maxStarts != null && started >= options.maxStarts) break;
        if (clock.now() - t0 >= totalMs) break;
        started++;
        await start(clock.now());
      }
      running--;
      done();
    };

    const adjust = (): void => {
      timer = null;
      const elapsed = clock.now() - t0;
      if (over || elapsed >= totalMs || options.signal?.aborted) {
        finish();
        return;
      }
      wanted = vusAt(options.startVus, options.stages, elapsed);
      for (let i = running; i < wanted; i++) void vu();
      timer = clock.setTimer(adjust, Math.min(options.adjustEveryMs ?? 100, totalMs - elapsed));
    };
    adjust();
  });
}
