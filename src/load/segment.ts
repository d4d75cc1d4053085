/**
 * Execution segments: one machine runs segment `i` of `N` of an arrival schedule, and the N
 * segments together are the whole schedule, arrival for arrival (no coordinator, as in k6).
 *
 * Split rule (k6's striping for an evenly split sequence `0,1/N,2/N,…,1`): the whole schedule's
 * arrivals are numbered k = 0, 1, 2, … in time order, and arrival k belongs to segment
 * `k mod N`. So after n arrivals of the whole schedule, segment i has had
 * `floor((n − i + N − 1) / N)` of them — every segment's share differs from n/N by less than one,
 * at every instant, which keeps each machine's rate at 1/N of the schedule's even during ramps.
 * Intended times are the whole schedule's, so latency is still measured from them.
 *
 * Wiring into runPlan (src/run.ts; checked in a scratch copy with
 * test/integration/segments/run-segment-cli.test.ts, which then proves 23 + 22 = 45 arrivals):
 *   import { type Segment, segmentArrivals } from './load/segment.ts';
 *   RunOptions:  segment?: Segment;
 *   open model:  const whole = new ArrivalSchedule(plan.startRatePerSec, plan.stages);
 *                const schedule = options.segment ? segmentArrivals(whole, options.segment) : whole;
 *   report:      ...(options.segment ? { segment: options.segment } : {}),
 */
import { TokenstormError } from '../errors.ts';

/** Segment `index` (0-based) of `count` equal segments. */
export interface Segment {
  index: number;
  count: number;
}

/** The most segments a schedule may be split into (a sanity cap on user input). */
export const MAX_SEGMENTS = 10_000;

/**
 * Parses `i/N` (0 ≤ i < N ≤ 10000, plain digits). Throws ERR_USAGE naming `flag` otherwise.
 *
 * @example
 * parseSegment('1/4'); // { index: 1, count: 4 }
 * parseSegment('3/2'); // throws "--segment 3/2: index must be below the count (0..1 for /2)"
 */
export function parseSegment(raw: string, flag = '--segment'): Segment {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(raw);
  if (!m) throw new TokenstormError('ERR_USAGE', `${flag} must look like i/N, e.g. 0/2 (got '${raw}')`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SEGMENTS) throw new TokenstormError('ERR_USAGE', `${flag} ${raw}: N must be in 1..${MAX_SEGMENTS}`);
  if (index >= count) throw new TokenstormError('ERR_USAGE', `${flag} ${raw}: index must be below the count (0..${count - 1} for /${count})`);
  return { index, count };
}

/**
 * True when arrival `k` (0-based, whole-schedule order) belongs to `segment`.
 *
 * @example
 * inSegment(5, { index: 1, count: 2 }); // true
 */
export function inSegment(k: number, segment: Segment): boolean {
  return k % segment.count === segment.index;
}

/**
 * How many of the whole schedule's first `n` arrivals belong to `segment`.
 *
 * @example
 * segmentShare(45, { index: 0, count: 2 }); // 23
 */
export function segmentShare(n: number, segment: Segment): number {
  return n <= segment.index ? 0 : Math.floor((n - segment.index + segment.count - 1) / segment.count);
}

/** Anything that hands out intended arrival times in order, null at the end (ArrivalSchedule). */
export interface ArrivalSource {
  next(): number | null;
}

/**
 * Wraps a whole schedule so that `next()` yields only this segment's arrivals (their intended
 * times unchanged). With `{index: 0, count: 1}` it is the whole schedule.
 *
 * @example
 * const mine = segmentArrivals(new ArrivalSchedule(10, stages), { index: 1, count: 2 });
 * runOpen({ nextArrival: () => mine.next(), … }, handlers);
 */
export function segmentArrivals(source: ArrivalSource, segment: Segment): ArrivalSource {
  let k = 0;
  return {
    next(): number | null {
      for (;;) {
        const t = source.next();
        if (t === null) return null;
        const mine = inSegment(k, segment);
        k++;
        if (mine) return t;
      }
    },
  };
}
