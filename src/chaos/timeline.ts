/**
 * The fault timeline: applies and removes scheduled faults (toxics, proxy down, IdP clock skew,
 * IdP misbehaviour) at their times and opens a recorder phase at every boundary, so each phase's
 * histograms hold exactly the samples taken while that set of faults was active.
 */
import type { Fault } from '../scenario/types.ts';
import type { Clock } from '../load/clock.ts';
import type { FaultActuator } from './actuators/types.ts';

export type { FaultActuator } from './actuators/types.ts';

/** Called at each boundary with the new phase name and the active fault names. */
export type PhaseSink = (name: string, activeFaults: string[]) => void;

/** A fault that could not be applied or removed (recorded in the report; the run goes on). */
export interface TimelineError {
  fault: string;
  action: 'apply' | 'undo';
  message: string;
}

/** Applied/removed times actually achieved (ms from run start), per fault index. */
export interface FaultTiming {
  appliedAtMs: number | null;
  removedAtMs: number | null;
}

/**
 * Schedules every fault relative to `t0` (clock ms). `stop()` cancels pending boundaries and
 * removes active faults.
 *
 * @example
 * const tl = startTimeline(plan.faults, actuator, (n, f) => recorder.beginPhase(n, f), systemClock, t0);
 * … await tl.stop();
 */
export function startTimeline(faults: Fault[], actuator: FaultActuator, onPhase: PhaseSink, clock: Clock, t0: number) {
  const active = new Map<number, { undo(): Promise<void> }>();
  const timings: FaultTiming[] = faults.map(() => ({ appliedAtMs: null, removedAtMs: null }));
  const errors: TimelineError[] = [];
  const timers: unknown[] = [];
  let recoveries = 0;
  let stopped = false;
  // Boundaries run one at a time, in order, even when a fault's apply is slow.
  let chain: Promise<void> = Promise.resolve();

  const phaseName = (): { name: string; faults: string[] } => {
    const names = [...active.keys()].sort((a, b) => a - b).map((i) => faults[i]!.name);
    if (names.length > 0) return { name: names.join(' + '), faults: names };
    recoveries++;
    return { name: recoveries === 1 ? 'recovery' : `recovery ${recoveries}`, faults: [] };
  };

  const boundary = (index: number, action: 'apply' | 'undo'): void => {
    chain = chain.then(async () => {
      if (stopped && action === 'apply') return;
      const fault = faults[index]!;
      try {
        if (action === 'apply') {
          active.set(index, await actuator.apply(fault, index));
          timings[index]!.appliedAtMs = clock.now() - t0;
        } else {
          const applied = active.get(index);
          if (!applied) return;
          active.delete(index);
          await applied.undo();
          timings[index]!.removedAtMs = clock.now() - t0;
        }
      } catch (err) {
        errors.push({ fault: fault.name, action, message: err instanceof Error ? err.message.slice(0, 200) : String(err) });
        if (action === 'apply') return;
      }
      if (!stopped) {
        const p = phaseName();
        onPhase(p.name, p.faults);
      }
    }).catch((err: unknown) => {
      // Nothing may reject the chain: an unhandled rejection would end the process with a fault
      // still applied, and stop() must still be able to undo what is active.
      errors.push({ fault: faults[index]!.name, action, message: err instanceof Error ? err.message.slice(0, 200) : String(err) });
    });
  };

  faults.forEach((f, i) => {
    timers.push(clock.setTimer(() => boundary(i, 'apply'), Math.max(0, t0 + f.atMs - clock.now())));
    timers.push(clock.setTimer(() => boundary(i, 'undo'), Math.max(0, t0 + f.atMs + f.forMs - clock.now())));
  });

  return {
    timings,
    errors,
    /** How many faults are applied right now. */
    activeCount: (): number => active.size,
    /** Cancels what is pending and removes every active fault. */
    async stop(): Promise<void> {
      stopped = true;
      for (const t of timers) clock.clearTimer(t);
      // Fault calls carry their own deadline (FaultLayer), so this wait is bounded.
      await chain;
      for (const [i, applied] of active) {
        try {
          await applied.undo();
          timings[i]!.removedAtMs = clock.now() - t0;
        } catch (err) {
          errors.push({ fault: faults[i]!.name, action: 'undo', message: err instanceof Error ? err.message.slice(0, 200) : String(err) });
        }
      }
      active.clear();
    },
  };
}
