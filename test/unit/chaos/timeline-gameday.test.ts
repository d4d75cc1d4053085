import { describe, expect, it } from 'vitest';
import { faultOutcomes, windowHealthy } from '../../../src/report/gameday.ts';
import { startTimeline } from '../../../src/chaos/timeline.ts';
import { ManualClock } from '../../../src/load/clock.ts';
import type { SeriesPoint } from '../../../src/report/schema.ts';
import type { Fault } from '../../../src/scenario/types.ts';

const fault = (name: string, atMs: number, forMs: number): Fault => ({ name, atMs, forMs, endpoint: 'token', down: true });

describe('startTimeline', () => {
  it('applies and removes faults at their times and names a phase per boundary', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const phases: string[] = [];
    const tl = startTimeline(
      [fault('A', 100, 300), fault('B', 200, 300)],
      {
        apply: async (f) => {
          log.push(`+${f.name}@${clock.now()}`);
          return { undo: async () => void log.push(`-${f.name}@${clock.now()}`) };
        },
      },
      (name) => phases.push(name),
      clock,
      0,
    );
    await clock.advance(1000);
    expect(log).toEqual(['+A@100', '+B@200', '-A@400', '-B@500']);
    expect(phases).toEqual(['A', 'A + B', 'B', 'recovery']);
    expect(tl.timings[0]).toEqual({ appliedAtMs: 100, removedAtMs: 400 });
    await tl.stop();
  });

  it('records a failed apply and still undoes active faults on stop', async () => {
    const clock = new ManualClock();
    const undone: string[] = [];
    const tl = startTimeline(
      [fault('ok', 0, 10_000), fault('broken', 10, 100)],
      {
        apply: async (f) => {
          if (f.name === 'broken') throw new Error('fault server said 500');
          return { undo: async () => void undone.push(f.name) };
        },
      },
      () => {
        throw new Error('a throwing phase sink must not reject the chain');
      },
      clock,
      0,
    );
    await clock.advance(200);
    await tl.stop();
    expect(undone).toEqual(['ok']);
    expect(tl.errors.map((e) => `${e.fault}:${e.action}`)).toEqual(expect.arrayContaining(['broken:apply']));
  });
});

const point = (t: number, completed: number, failed: number, p95 = 10): SeriesPoint => ({
  t,
  phase: 'x',
  started: completed + failed,
  completed,
  failed,
  dropped: 0,
  inFlight: 0,
  endpoints: { token: { count: completed + failed, errors: failed, p50: p95 / 2, p95, p99: p95 } },
  failures: {},
});

describe('faultOutcomes (time to detect / recover)', () => {
  const slo = { p95Ms: 200, errorRate: 0.05, endpoint: 'token' as const };
  it('detects the first breached window and the first stable recovery', () => {
    const series = [point(0, 10, 0), point(1, 10, 0), point(2, 5, 5), point(3, 0, 10), point(4, 9, 1), point(5, 10, 0), point(6, 10, 0), point(7, 10, 0)];
    const [o] = faultOutcomes([fault('down', 2000, 2000)], [{ appliedAtMs: 2000, removedAtMs: 4000 }], series, slo);
    expect(o).toMatchObject({ timeToDetectMs: 1000, timeToRecoverMs: 1000 });
  });
  it('reports a fault that never breached the SLO as undetected', () => {
    const series = [0, 1, 2, 3, 4].map((t) => point(t, 10, 0));
    const [o] = faultOutcomes([fault('mild', 1000, 1000)], [{ appliedAtMs: 1000, removedAtMs: 2000 }], series, slo);
    expect(o!.timeToDetectMs).toBeNull();
    expect(o!.timeToRecoverMs).toBe(0);
  });
  it('judges windows by error rate and p95', () => {
    expect(windowHealthy(point(0, 10, 0, 250), slo)).toBe(false);
    expect(windowHealthy(point(0, 19, 1), slo)).toBe(true);
    expect(windowHealthy(point(0, 0, 0), slo)).toBeNull();
  });
});
