import { describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/load/arrivals.ts';
import { ManualClock } from '../../../src/load/clock.ts';
import { runClosed, vusAt } from '../../../src/load/closed-executor.ts';
import { CodeBank } from '../../../src/load/code-bank.ts';
import { runOpen } from '../../../src/load/open-executor.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';

describe('runClosed (closed model)', () => {
  it('keeps the wanted number of VUs busy back to back and stops at the end', async () => {
    const clock = new ManualClock();
    let running = 0;
    let maxRunning = 0;
    const done = runClosed({ clock, stages: [{ durationMs: 1000, vus: 4 }], startVus: 4 }, () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<void>((r) =>
        clock.setTimer(() => {
          running--;
          r();
        }, 100),
      );
    });
    await clock.advance(1200);
    const { started } = await done;
    expect(maxRunning).toBe(4);
    expect(started).toBe(40);
  });

  it('ramps VUs linearly within a stage', () => {
    expect(vusAt(0, [{ durationMs: 1000, vus: 10 }], 500)).toBe(5);
    expect(vusAt(10, [{ durationMs: 1000, vus: 10 }, { durationMs: 1000, vus: 0 }], 1500)).toBe(5);
    expect(vusAt(0, [{ durationMs: 1000, vus: 10 }], 1000)).toBe(0);
  });
});

describe('CodeBank (token mode)', () => {
  it('fills to size, hands out oldest first and discards codes older than maxAge', async () => {
    const clock = new ManualClock();
    let n = 0;
    const bank = new CodeBank<number>({ clock, size: 3, maxAgeMs: 1000, producers: 1, produce: async () => n++ });
    bank.start();
    await clock.advance(10);
    expect(bank.size).toBe(3);
    expect(bank.take()).toBe(0);
    await clock.advance(10);
    expect(bank.size).toBe(3); // refilled
    await clock.advance(1500); // everything banked is now stale
    expect(bank.hasStock()).toBe(false); // stale codes do not count as stock…
    expect(bank.discardedStale).toBe(3);
    await clock.advance(10);
    expect(bank.hasStock()).toBe(true); // …and their slots are refilled with fresh ones
    expect(bank.take()).toBe(4);
    const stopping = bank.stop();
    await clock.advance(20);
    await stopping;
  });

  it('counts an empty bank and backs off after failed productions', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const bank = new CodeBank<number>({ clock, size: 2, maxAgeMs: 1000, producers: 1, backoffMs: 100, produce: async () => {
        calls++;
        return null;
      },
    });
    bank.start();
    await clock.advance(0);
    await clock.advance(250);
    expect(bank.take()).toBeUndefined();
    expect(bank.empties).toBe(1);
    expect(calls).toBe(3); // at 0, 100, 200 ms: not a tight loop against a broken IdP
    const stopping = bank.stop();
    await clock.advance(200);
    await stopping;
  });
});

describe('coordinated omission', () => {
  it('records latency from the intended start when the harness itself starts late', async () => {
    // Timers fire 40 ms late (a busy event loop): each unit's service time is 5 ms, but what a user
    // arriving on schedule would see is 45 ms.
    const clock = new ManualClock(40);
    const rec = new Recorder({ now: () => clock.now() });
    const schedule = new ArrivalSchedule(10, [{ durationMs: 1000, targetRatePerSec: 10 }]);
    const done = runOpen(
      { clock, nextArrival: () => schedule.next(), maxInFlight: 100, durationMs: 1000 },
      {
        started: (late) => rec.flowStarted(late),
        start: async (intendedAt) => {
          // The target answers in 5 ms from the actual send.
          const sentAt = clock.now();
          const endAt = sentAt + 5;
          rec.flowEnded(true, (endAt - intendedAt) * 1000, (endAt - sentAt) * 1000);
        },
      },
    );
    await clock.advance(2000);
    await done;
    const r = rec.finish();
    expect(r.flows.started).toBe(10);
    expect(r.flows.late).toBe(9);
    expect(r.endpoints.flow!.serviceMs.p50).toBeCloseTo(5, 0);
    expect(r.endpoints.flow!.latencyMs.p50).toBeCloseTo(45, 0);
  });
});
