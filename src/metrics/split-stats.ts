/**
 * The per-endpoint timing split the recorder keeps beside latency and service time: queued (the
 * harness's own pool), connect (connections opened) and wait (to the first byte) histograms.
 */
import type { EndpointReport } from '../report/schema.ts';
import { createHistogram, encodeHistogram, type Histogram, recordUs, summarize } from './hdr.ts';
import type { RequestTiming } from './request-timing.ts';

/** One endpoint's split histograms (µs). */
export interface SplitStats {
  queued: Histogram;
  connect: Histogram;
  wait: Histogram;
}

/**
 * Empty split histograms. Two significant digits (1 %) are plenty for the split and cost a tenth
 * of the memory of the latency histograms' three.
 *
 * @example
 * const split = newSplit(); recordSplit(split, timing);
 */
export function newSplit(): SplitStats {
  return { queued: createHistogram(2), connect: createHistogram(2), wait: createHistogram(2) };
}

/** Records one exchange; connect time only when it opened a connection (so its count = connections opened). */
export function recordSplit(into: SplitStats, t: RequestTiming): void {
  recordUs(into.queued, t.queuedUs);
  recordUs(into.wait, t.waitUs);
  if (t.newConnection) recordUs(into.connect, t.connectUs);
}

/** Adds `from` into `into` (phase totals into the run's). */
export function addSplit(into: SplitStats, from: SplitStats): void {
  into.queued.add(from.queued);
  into.connect.add(from.connect);
  into.wait.add(from.wait);
}

/** The report fields of a split: summaries and encoded histograms. */
export function splitReport(s: SplitStats): Pick<EndpointReport, 'queuedMs' | 'connectMs' | 'waitMs' | 'queuedHdr' | 'connectHdr' | 'waitHdr'> {
  return {
    queuedMs: summarize(s.queued),
    connectMs: { ...summarize(s.connect), count: s.connect.totalCount },
    waitMs: summarize(s.wait),
    queuedHdr: encodeHistogram(s.queued),
    connectHdr: encodeHistogram(s.connect),
    waitHdr: encodeHistogram(s.wait),
  };
}
