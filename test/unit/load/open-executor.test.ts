import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/load/arrivals.ts';
import { ManualClock, systemClock } from '../../../src/load/clock.ts';
import { MAX_ARRIVALS_PER_WAKE, runOpen } from '../../../src/load/open-executor.ts';

describe('runOpen (open model)', () => {
  it('starts every arrival at its intended time and waits for in-flight work', async () => {
    const clock = new ManualClock();
    const schedule = new ArrivalSchedule(100, [{ durationMs: 1000, targetRatePerSec: 100 }]);
    const starts: Array<{ intended: number; at: number }> = [];
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 1000, durationMs: 1000 },
      {
        start: (intended) => {
          starts.push({ intended, at: clock.now() });
          return new Promise<void>((r) => clock.setTimer(r, 50));
        },
      },
    );
    await clock.advance(1100);
    const result = await done;
    expect(result).toEqual({ started: 100, dropped: 0, late: 0 });
    for (const s of starts) expect(s.at).toBe(s.intended);
  });

  it('drops arrivals when no slot is free instead of queueing them (no coordinated omission)', async () => {
    const clock = new ManualClock();
    const schedule = new ArrivalSchedule(100, [{ durationMs: 1000, targetRatePerSec: 100 }]);
    const dropped: number[] = [];
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 2, durationMs: 1000 },
      {
        // Each unit takes 100 ms: only 2 of every 10 arrivals find a slot.
        start: () => new Promise<void>((r) => clock.setTimer(r, 100)),
        dropped: (at) => dropped.push(at),
      },
    );
    await clock.advance(1200);
    const result = await done;
    expect(result.started + result.dropped).toBe(100);
    expect(result.started).toBe(20);
    expect(dropped).toHaveLength(80);
  });

  it('counts starts that happen late and stops at maxStarts', async () => {
    const clock = new ManualClock(30);
    const schedule = new ArrivalSchedule(10, [{ durationMs: 10_000, targetRatePerSec: 10 }]);
    const lates: number[] = [];
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 10, durationMs: 10_000, maxStarts: 5 },
      { start: () => Promise.resolve(), started: (l) => lates.push(l) },
    );
    // Timers fire 30 ms late: the first arrival runs at once, the others 30 ms behind.
    await clock.advance(2000);
    const result = await done;
    expect(result.started).toBe(5);
    expect(lates).toEqual([0, 30, 30, 30, 30]);
    expect(result.late).toBe(4);
  });

  it('stops scheduling on abort', async () => {
    const clock = new ManualClock();
    const schedule = new ArrivalSchedule(10, [{ durationMs: 10_000, targetRatePerSec: 10 }]);
    const ac = new AbortController();
    const done = runOpen({ clock, nextArrival: () => schedule.next(), maxInFlight: 10, durationMs: 10_000, signal: ac.signal }, { start: () => Promise.resolve() });
    await clock.advance(450);
    ac.abort();
    const result = await done;
    expect(result.started).toBe(5);
  });

  it('drops when the gate says no (token mode with an empty code bank)', async () => {
    const clock = new ManualClock();
    const schedule = new ArrivalSchedule(10, [{ durationMs: 1000, targetRatePerSec: 10 }]);
    let stock = 3;
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 10, durationMs: 1000 },
      { canStart: () => stock-- > 0, start: () => Promise.resolve() },
    );
    await clock.advance(1000);
    expect(await done).toMatchObject({ started: 3, dropped: 7 });
  });

  it('yields to the event loop after a bounded number of arrivals, so an abort stops a schedule far behind', async () => {
    // The first wake comes 1 s late at 100,000/s: 100,000 arrivals are due at once.
    const clock = new ManualClock(1000);
    const schedule = new ArrivalSchedule(100_000, [{ durationMs: 2000, targetRatePerSec: 100_000 }]);
    const ac = new AbortController();
    let handled = 0;
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 1, durationMs: 2000, signal: ac.signal },
      { start: () => new Promise<void>(() => undefined).catch(() => undefined), dropped: () => void handled++, started: () => void handled++ },
    );
    // Start the schedule: the initial tick runs synchronously (arrival at t=0), then the late wake.
    await clock.advance(1000);
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThanOrEqual(2 * MAX_ARRIVALS_PER_WAKE + 1);
    ac.abort();
    await clock.advance(5000);
    expect(handled).toBeLessThanOrEqual(2 * MAX_ARRIVALS_PER_WAKE + 1);
    // The one started unit never ends, so `done` stays pending: only scheduling is asserted.
    void done;
  });

  it('on the real clock, a slot freed between arrivals due sub-millisecond is reused on the next event-loop turn, not after a 1 ms timer', async () => {
    // 50,000 arrivals/s into one slot whose work ends on the next turn. Node rounds timers up to
    // 1 ms, so a timer-driven executor starts at most one unit per millisecond (≤ ~600 here);
    // turns of an idle event loop take microseconds, so even a busy machine gets several per ms.
    const durationMs = 600;
    const schedule = new ArrivalSchedule(50_000, [{ durationMs, targetRatePerSec: 50_000 }]);
    const r = await runOpen(
      { clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: 1, durationMs },
      { start: () => new Promise<void>((resolve) => setImmediate(resolve)) },
    );
    expect(r.started).toBeGreaterThan(1.5 * durationMs);
    expect(r.started + r.dropped).toBeGreaterThan(0.9 * 50 * durationMs);
  });

  it('on the real clock, an abort stops a schedule that is running on event-loop turns', async () => {
    const schedule = new ArrivalSchedule(50_000, [{ durationMs: 60_000, targetRatePerSec: 50_000 }]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await runOpen(
      { clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: 4, durationMs: 60_000, signal: ac.signal },
      { start: () => new Promise<void>((resolve) => setImmediate(resolve)) },
    );
    // Stopped after ~50 ms of a 60 s schedule (3M arrivals): far fewer were handled.
    expect(r.started + r.dropped).toBeLessThan(1_000_000);
    expect(r.started).toBeGreaterThan(0);
  });

  it('with every slot busy and arrivals under 1 ms apart, drops what came while full and starts the first arrival after a slot frees, on time', async () => {
    const clock = new ManualClock();
    // 10,000 arrivals/s (0.1 ms apart) for 10 ms into one slot whose work takes 0.35 ms.
    const schedule = new ArrivalSchedule(10_000, [{ durationMs: 10, targetRatePerSec: 10_000 }]);
    const lates: number[] = [];
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 1, durationMs: 10 },
      { start: () => new Promise<void>((r) => clock.setTimer(r, 0.35)), started: (lateMs) => lates.push(lateMs) },
    );
    await clock.advance(20);
    const r = await done;
    // Starts at 0, 0.4, 0.8, …: each slot frees 0.35 ms in and the next arrival (0.05 ms later) takes it.
    expect(r.started).toBeGreaterThanOrEqual(24);
    expect(r.started).toBeLessThanOrEqual(26);
    expect(r.started + r.dropped).toBeGreaterThanOrEqual(99);
    expect(Math.max(...lates)).toBeLessThan(1e-6);
  });

  it('with every slot stuck, still counts the drops as they come (at most 1 ms late), not when a slot frees', async () => {
    const clock = new ManualClock();
    const schedule = new ArrivalSchedule(10_000, [{ durationMs: 1000, targetRatePerSec: 10_000 }]);
    let dropped = 0;
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 2, durationMs: 1000 },
      { start: () => new Promise<void>(() => {}), dropped: () => dropped++ },
    );
    await clock.advance(5);
    // 51 arrivals in [0, 5] ms, 2 started: the rest are dropped by now, give or take the last 1 ms.
    expect(dropped).toBeGreaterThanOrEqual(38);
    expect(dropped).toBeLessThanOrEqual(49);
    void done;
  });
});
