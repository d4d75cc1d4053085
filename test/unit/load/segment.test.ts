import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { ArrivalSchedule } from '../../../src/load/arrivals.ts';
import { parseSegment, segmentArrivals, segmentShare } from '../../../src/load/segment.ts';
import type { Stage } from '../../../src/scenario/types.ts';

function drain(s: { next(): number | null }): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== null; t = s.next()) out.push(t);
  return out;
}

describe('parseSegment', () => {
  it('accepts i/N and rejects everything else with one line naming the flag', () => {
    expect(parseSegment('0/2')).toEqual({ index: 0, count: 2 });
    expect(parseSegment('3/4')).toEqual({ index: 3, count: 4 });
    for (const [raw, msg] of [
      ['3/2', '--segment 3/2: index must be below the count (0..1 for /2)'],
      ['2/2', '--segment 2/2: index must be below the count (0..1 for /2)'],
      ['0/0', '--segment 0/0: N must be in 1..10000'],
      ['1', "--segment must look like i/N, e.g. 0/2 (got '1')"],
      ['-1/2', "--segment must look like i/N, e.g. 0/2 (got '-1/2')"],
      ['1/2:2/2', "--segment must look like i/N, e.g. 0/2 (got '1/2:2/2')"],
    ] as const) {
      let caught: unknown;
      try {
        parseSegment(raw);
      } catch (err) {
        caught = err;
      }
      expect(isTokenstormError(caught, 'ERR_USAGE')).toBe(true);
      expect((caught as Error).message).toBe(msg);
    }
  });
});

describe('segmentArrivals', () => {
  const stages: Stage[] = [
    { durationMs: 2000, targetRatePerSec: 50 },
    { durationMs: 3000, targetRatePerSec: 50 },
    { durationMs: 1500, targetRatePerSec: 5 },
  ];

  it('N segments together are the whole schedule, arrival for arrival (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ durationMs: fc.integer({ min: 100, max: 3000 }), targetRatePerSec: fc.integer({ min: 0, max: 80 }) }), { minLength: 1, maxLength: 4 }),
        (count, startRate, st) => {
          const whole = drain(new ArrivalSchedule(startRate, st));
          const parts = Array.from({ length: count }, (_, index) => drain(segmentArrivals(new ArrivalSchedule(startRate, st), { index, count })));
          const union = parts.flat().sort((a, b) => a - b);
          expect(union).toEqual(whole);
          // Each part is within one arrival of its 1/N share.
          parts.forEach((p, index) => {
            expect(p.length).toBe(segmentShare(whole.length, { index, count }));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stripes round-robin: segment i gets arrivals i, i+N, i+2N … with the whole schedule times', () => {
    const whole = drain(new ArrivalSchedule(10, stages));
    const seg1of3 = drain(segmentArrivals(new ArrivalSchedule(10, stages), { index: 1, count: 3 }));
    expect(seg1of3).toEqual(whole.filter((_, k) => k % 3 === 1));
    // At every prefix a segment is within one arrival of its share (even rate during ramps).
    for (let n = 0; n <= whole.length; n++) {
      const share = segmentShare(n, { index: 1, count: 3 });
      expect(Math.abs(share - n / 3)).toBeLessThan(1);
    }
  });

  it('1 segment of 1 is the whole schedule', () => {
    expect(drain(segmentArrivals(new ArrivalSchedule(10, stages), { index: 0, count: 1 }))).toEqual(drain(new ArrivalSchedule(10, stages)));
  });
});
