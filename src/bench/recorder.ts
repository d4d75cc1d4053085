/**
 * Recorder memory benchmark: RSS and heap growth across N recorded samples (default 10M) spread
 * over a simulated 100 s run with phases, per-second series and failures — what a long, fast run
 * costs. Histograms are fixed-size, so growth should not depend on N.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Recorder } from '../metrics/recorder.ts';
import { ENDPOINT_CLASSES } from '../report/schema.ts';

/** Result of {@link benchRecorder}. */
export interface RecorderBenchResult {
  samples: number;
  rssGrowthMB: number;
  heapGrowthMB: number;
  nsPerSample: number;
  seriesPoints: number;
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mb = (b: number): number => Math.round((b / 1024 / 1024) * 100) / 100;

/**
 * Records `samples` exchanges into one Recorder and measures memory growth.
 *
 * @example
 * const r = benchRecorder(10_000_000); r.rssGrowthMB; // goal ≤ 30
 */
export function benchRecorder(samples = 10_000_000, simulatedSeconds = 100): RecorderBenchResult {
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let nowMs = 0;
  const rec = new Recorder({ now: () => nowMs });
  const stepMs = (simulatedSeconds * 1000) / samples;
  const classes = ENDPOINT_CLASSES.filter((c) => c !== 'flow' && c !== 'refresh');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) {
    nowMs += stepMs;
    // Service times spread over 1–100 ms; every 1000th a failure; a phase change at 30 % and 60 %.
    const us = 1000 + ((i * 7919) % 99_000);
    rec.exchange(classes[i % classes.length]!, us, us, i % 1000 !== 0);
    if (i % 1000 === 0) rec.failure({ failureClass: 'timeout_response', endpoint: 'token', socketCode: 'UND_ERR_HEADERS_TIMEOUT' });
    if (i === Math.floor(samples * 0.3)) rec.beginPhase('token latency 300ms', ['token latency 300ms']);
    if (i === Math.floor(samples * 0.6)) rec.beginPhase('recovery', []);
  }
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  const result = rec.finish();
  gc();
  const rss1 = process.memoryUsage().rss;
  const heap1 = process.memoryUsage().heapUsed;
  return {
    samples,
    rssGrowthMB: mb(rss1 - rss0),
    heapGrowthMB: mb(heap1 - heap0),
    nsPerSample: Math.round(elapsedNs / samples),
    seriesPoints: result.series.length,
  };
}
