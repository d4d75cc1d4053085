/**
 * HDR histograms as tokenstorm uses them: values in microseconds, 3 significant digits, up to one
 * hour. Reports carry them compressed (base64) so runs and machines can be merged later.
 */
import { createRequire } from 'node:module';
import type * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../report/schema.ts';

/** Highest value a histogram tracks: one hour in µs. Larger values are clamped, not lost. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** A histogram of microsecond values. */
export type Histogram = hdr.Histogram;

// hdr-histogram-js's index loads its WebAssembly build, pako and base64-js as well (about 7 MB of
// RSS beside undici, 20 MB alone, measured on Node 24); the harness uses the plain-JS 32-bit
// histogram only, so it takes that module, and the codec only when a report is written or read.
// package-lock.json pins the version; test/unit/package/deep-imports.test.ts checks these paths.
const requireCjs = createRequire(import.meta.url);
const { default: Int32Histogram } = requireCjs('hdr-histogram-js/dist/Int32Histogram.js') as {
  default: new (lowest: number, highest: number, digits: number) => hdr.Histogram;
};
const { default: PackedHistogram } = requireCjs('hdr-histogram-js/dist/PackedHistogram.js') as {
  default: new (lowest: number, highest: number, digits: number) => hdr.Histogram;
};
const { default: JsHistogram } = requireCjs('hdr-histogram-js/dist/JsHistogram.js') as { default: typeof hdr.JsHistogram };
type Codec = Pick<typeof hdr, 'encodeIntoCompressedBase64' | 'decodeFromCompressedBase64'>;
let codec: Codec | undefined;
const loadCodec = (): Codec => {
  codec ??= requireCjs('hdr-histogram-js/dist/encoding.js') as Codec;
  return codec;
};

/**
 * A new microsecond histogram (1 µs .. 1 h, 3 significant digits).
 *
 * @example
 * const h = createHistogram(); h.recordValue(1500); // 1.5 ms
 */
export function createHistogram(significantDigits: 2 | 3 = 3): Histogram {
  // What hdr.build({ bitBucketSize: 32, autoResize: false, … }) constructs.
  const h = new Int32Histogram(1, HIGHEST_TRACKABLE_US, significantDigits);
  h.autoResize = false;
  return h;
}

/**
 * A packed, auto-resizing microsecond histogram: about 1.5 KB for a second of typical latencies
 * instead of the 95 KB of {@link createHistogram}'s full 1 µs..1 h range, for callers that hold
 * thousands of them.
 *
 * @example
 * const h = createPackedHistogram(2); recordUs(h, 1500);
 */
export function createPackedHistogram(significantDigits: 2 | 3 = 2): Histogram {
  // What hdr.build({ bitBucketSize: 'packed', autoResize: true, highestTrackableValue: 2, … }) constructs.
  const h = new PackedHistogram(1, 2, significantDigits);
  h.autoResize = true;
  return h;
}

/** Records `valueUs`, clamped into the trackable range (a 0 µs sample is recorded as 1 µs). */
export function recordUs(h: Histogram, valueUs: number): void {
  const v = valueUs < 1 ? 1 : valueUs > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : Math.round(valueUs);
  h.recordValue(v);
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * hdr-histogram-js's `mean`, computed the same way (same terms, same order, so the same float) but
 * with a plain loop over the counts: its iterator allocates per bucket and walks every one of the
 * ~23k buckets of a 1 µs..1 h histogram, which made a run's summary cost tens of ms.
 */
export function meanUs(h: Histogram): number {
  if (!(h instanceof JsHistogram)) return h.mean;
  const total = h.totalCount;
  if (total === 0) return 0;
  let seen = 0;
  let totalValue = 0;
  for (let i = 0; i < h.countsArrayLength && seen < total; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    seen += count;
    totalValue += h.medianEquivalentValue(h.highestEquivalentValue(h.valueFromIndex(i))) * count;
  }
  return totalValue / total;
}

/**
 * Percentiles in ms (3 decimals) of a µs histogram; all zero when empty. A percentile is the
 * highest value of its HDR bucket, which can lie above the largest value actually recorded: every
 * figure is capped at the recorded max (and floored at the recorded min), so p99 never prints above max.
 */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { min: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  // HDR reports a percentile as the highest value equivalent to its bucket, which can lie above
  // the exact maximum recorded (seen on a busy machine: p99 2490.367 ms, max 2490.002 ms); no
  // percentile can exceed the maximum (or go below the minimum), so it is capped there.
  const maxUs = h.maxValue;
  const minUs = h.minNonZeroValue;
  const at = (p: number): number => round3(Math.max(minUs, Math.min(maxUs, h.getValueAtPercentile(p))) / 1000);
  return {
    min: round3(minUs / 1000),
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: round3(h.maxValue / 1000),
    mean: round3(Math.max(minUs, Math.min(maxUs, meanUs(h))) / 1000),
  };
}

/** Compressed base64 encoding (HdrHistogram's standard format, readable by other HDR tools). */
export function encodeHistogram(h: Histogram): string {
  return loadCodec().encodeIntoCompressedBase64(h);
}

/** Decodes a histogram written by {@link encodeHistogram}. */
export function decodeHistogram(encoded: string): Histogram {
  return loadCodec().decodeFromCompressedBase64(encoded, 32, false);
}
