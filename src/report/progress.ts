/**
 * Live progress on stderr (stdout may carry --json): a cli-progress bar on a TTY, a plain line
 * every ~5 s otherwise (CI logs), nothing with --quiet.
 */
import type cliProgressTypes from 'cli-progress';
import { lazyRequire } from '../lazy-require.ts';

/** cli-progress is loaded only for a bar on a terminal (CI logs get plain lines, --quiet nothing). */
const cliProgress = lazyRequire<typeof cliProgressTypes>('cli-progress');

/** One progress sample from the run engine. */
export interface ProgressSample {
  elapsedMs: number;
  ratePerSec: number;
  inFlight: number;
  /** Recent p95 of the SLO endpoint; null before any sample. */
  p95Ms: number | null;
  errors: number;
  phase: string;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  quiet: boolean;
  isTTY: boolean;
  totalMs: number;
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream;
  /** Non-TTY line interval. Default 5000. */
  lineIntervalMs?: number;
}

/** The handle the engine drives. */
export interface Progress {
  update(s: ProgressSample): void;
  stop(): void;
}

const secs = (xMs: number): string => `${Math.round(xMs / 1000)}s`;
const p95 = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)}ms`);

/** One plain progress line (also used in tests). */
export function formatProgressLine(s: ProgressSample, totalMs: number): string {
  return `tokenstorm: ${secs(s.elapsedMs)}/${secs(totalMs)} phase=${s.phase} rate=${s.ratePerSec.toFixed(1)}/s inflight=${s.inFlight} p95=${p95(s.p95Ms)} errors=${s.errors}\n`;
}

/**
 * Creates the live progress display for a run of `totalMs`.
 *
 * @example
 * const progress = createProgress({ quiet: opts.quiet, isTTY: process.stderr.isTTY === true, totalMs: plan.totalDurationMs });
 * timer = setInterval(() => progress.update(recorder.sample()), 250);
 * // … at the end
 * progress.stop();
 */
export function createProgress(opts: ProgressOptions): Progress {
  if (opts.quiet) return { update() {}, stop() {} };
  const stream = opts.stream ?? process.stderr;
  const totalSec = Math.max(1, Math.round(opts.totalMs / 1000));

  if (!opts.isTTY) {
    const interval = opts.lineIntervalMs ?? 5000;
    // Print the first sample at once, then when `interval` of run time has passed since the last line.
    let lastMs = -Infinity;
    let stopped = false;
    return {
      update(s) {
        if (stopped || s.elapsedMs - lastMs < interval) return;
        lastMs = s.elapsedMs;
        stream.write(formatProgressLine(s, opts.totalMs));
      },
      stop() {
        stopped = true;
      },
    };
  }

  const bar = new (cliProgress().SingleBar)(
    {
      stream,
      format:
        ' {bar} {elapsedSec}/{totalSec}s left {leftSec}s | {phase} | {rate}/s in flight {inFlight} | p95 {p95} | errors {errors}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      // Our own time axis, not cli-progress's ETA estimate: the run length is known in advance.
      etaBuffer: 1,
      fps: 5,
    },
    cliProgress().Presets.shades_classic,
  );
  let started = false;
  const payload = (s: ProgressSample) => ({
    elapsedSec: Math.min(totalSec, Math.floor(s.elapsedMs / 1000)),
    totalSec,
    leftSec: Math.max(0, Math.ceil((opts.totalMs - s.elapsedMs) / 1000)),
    phase: s.phase,
    rate: s.ratePerSec.toFixed(1),
    inFlight: s.inFlight,
    p95: p95(s.p95Ms),
    errors: s.errors,
  });
  return {
    update(s) {
      const value = Math.min(totalSec, s.elapsedMs / 1000);
      if (!started) {
        started = true;
        bar.start(totalSec, value, payload(s));
      } else bar.update(value, payload(s));
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
