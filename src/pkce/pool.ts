/**
 * The verifier pool: piscina workers fill batches of verifier/challenge pairs ahead of demand; the
 * flow engine takes pairs synchronously and is never held back. When the ring runs dry, `take()`
 * generates one pair inline and counts a `wait`, so a report can say whether PKCE generation
 * ever held a flow back.
 *
 * With `workers: 0` there is no thread: the ring is refilled on the caller's thread in small
 * batches (the same batched SHA-256, ~30–60 µs per 64 pairs). A worker thread costs about 22 MB of
 * RSS (bench memory), which at a few hundred flows/s buys nothing: see {@link workersForRate}.
 */
import { availableParallelism } from 'node:os';
import { TokenstormError } from '../errors.ts';
import { lazyRequire } from '../lazy-require.ts';
import { entryFile } from '../paths.ts';
import { fillBatch } from './batch.ts';
import { generatePair, type PkcePair } from './challenge.ts';
import { BatchRing } from './ring.ts';
import { assertVerifierLength, DEFAULT_VERIFIER_LENGTH } from './verifier.ts';
import type { FillBatchTask } from './worker.ts';

export type { PkcePair } from './challenge.ts';

/** piscina, loaded for the first pool with worker threads (the inline pool needs none). */
const piscinaModule = lazyRequire<typeof import('piscina')>('piscina');

/** Worker time per batch in milliseconds, from piscina's histograms. */
export interface WorkerTimeMs {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Counters of a {@link VerifierPool}. */
export interface VerifierPoolStats {
  workers: number;
  /** Pairs handed out by `take()`, including inline ones. */
  taken: number;
  /** Takes that found the ring empty and generated a pair inline. */
  waits: number;
  /** Batches received from workers. */
  batches: number;
  batchSize: number;
  /** Pairs ready in the ring now. */
  buffered: number;
  /** Batches that failed in a worker. */
  failedBatches: number;
  /** How long a batch ran in a worker, and waited in piscina's queue for a free worker. */
  workerRunMs: WorkerTimeMs;
  workerWaitMs: WorkerTimeMs;
}

/** Pool of pre-generated PKCE pairs; see {@link createVerifierPool}. */
export interface VerifierPool {
  /** The next pair; synchronous, never blocks. Throws `ERR_POOL_CLOSED` after `close()`. */
  take(): PkcePair;
  /** Resolves once the first batches have arrived (up to the low-water mark). */
  ready(): Promise<void>;
  /** Full counters, with piscina's run/wait time histograms summarised (≈ 0.1 ms: not per take). */
  stats(): VerifierPoolStats;
  /** Just `taken` and `waits`: cheap enough to read between any two takes. */
  counters(): { taken: number; waits: number };
  /** Stops the workers and drops buffered pairs. */
  close(): Promise<void>;
}

/** Options of {@link createVerifierPool}. */
export interface VerifierPoolOptions {
  /** Worker threads (default: `os.availableParallelism()`); 0 fills batches inline on the caller's thread. */
  workers?: number;
  /** Pairs per batch (default 1024). */
  batchSize?: number;
  /** Ask for more batches while buffered plus in-flight pairs are below this (default 4 batches per worker). */
  lowWater?: number;
  /** Verifier length, 43..128 (default 43). */
  verifierLength?: number;
}

const DEFAULT_BATCH_SIZE = 1024;
const MAX_BATCH_SIZE = 65_536;
// Inline batches are small so that one refill never holds the event loop for long.
const INLINE_BATCH_SIZE = 64;
/**
 * Highest planned rate (pairs/s) served inline by {@link workersForRate}: 2000 pairs/s in 64-pair
 * batches cost the event loop about 1–2 ms a second (~0.2% of a core).
 */
export const INLINE_MAX_RATE_PER_SEC = 2000;

/**
 * Worker threads for a planned peak rate of PKCE pairs: none (inline) up to
 * {@link INLINE_MAX_RATE_PER_SEC}, one above it or when the rate is not known in advance (a closed
 * model, whose rate is whatever the target allows).
 *
 * @example
 * createVerifierPool({ workers: workersForRate(200) }); // inline: no thread
 */
export function workersForRate(peakRatePerSec: number | null): number {
  return peakRatePerSec !== null && peakRatePerSec <= INLINE_MAX_RATE_PER_SEC ? 0 : 1;
}

// After this many failed batches in a row the pool stops asking and serves everything inline.
const MAX_CONSECUTIVE_FAILURES = 3;
const CLOSE_DRAIN_MS = 2000;
// Batches queued per worker (≈ 0.3 ms each at 1024 pairs). Measured on 2 vCPUs: at 2 the workers
// sat idle half the time waiting for the main thread to hand out the next task.
const TASKS_PER_WORKER = 4;

function intOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TokenstormError('ERR_USAGE', `${name} must be an integer in ${min}..${max} (got ${String(value)})`);
  }
  return value;
}

function timeSummary(s: { mean: number; p50: number; p99: number; max: number }, count: number): WorkerTimeMs {
  if (count === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  return { mean: s.mean, p50: s.p50, p99: s.p99, max: s.max };
}

/**
 * Starts a verifier pool on piscina worker threads.
 *
 * @example
 * const pool = createVerifierPool({ workers: 2 });
 * await pool.ready();
 * const { verifier, challenge } = pool.take();
 * // … send `challenge` with the authorization request, `verifier` with the token request
 * await pool.close();
 */
export function createVerifierPool(opts: VerifierPoolOptions = {}): VerifierPool {
  const workers = intOption('workers', opts.workers ?? availableParallelism(), 0, 1024);
  const verifierLength = opts.verifierLength ?? DEFAULT_VERIFIER_LENGTH;
  assertVerifierLength(verifierLength);
  if (workers === 0) return inlinePool(intOption('batchSize', opts.batchSize ?? INLINE_BATCH_SIZE, 1, MAX_BATCH_SIZE), verifierLength);
  const batchSize = intOption('batchSize', opts.batchSize ?? DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE);
  const lowWater = intOption('lowWater', opts.lowWater ?? batchSize * workers * TASKS_PER_WORKER, 0, 1 << 24);

  const { Piscina } = piscinaModule();
  const piscina = new Piscina<FillBatchTask, ArrayBuffer>({
    filename: entryFile('pkce/worker'),
    minThreads: workers,
    maxThreads: workers,
    // Tasks already posted to a worker let it start the next batch without a round trip through
    // the main thread's event loop, which a busy consumer may hold for a millisecond or more.
    concurrentTasksPerWorker: TASKS_PER_WORKER,
    recordTiming: true,
  });
  const ring = new BatchRing(verifierLength);
  const task: FillBatchTask = { count: batchSize, verifierLength };
  let closed = false;
  let inFlight = 0;
  let taken = 0;
  let waits = 0;
  let batches = 0;
  let failedBatches = 0;
  let consecutiveFailures = 0;
  let lastError: unknown;
  let readyWaiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let closing: Promise<void> | null = null;

  const settleReady = (): void => {
    if (readyWaiters.length === 0) return;
    const failed = consecutiveFailures >= MAX_CONSECUTIVE_FAILURES;
    if (!failed && ring.buffered < lowWater && inFlight > 0) return;
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const w of waiters) {
      if (failed) {
        w.reject(new TokenstormError('ERR_INTERNAL', `verifier worker failed: ${errorMessage(lastError)}`, { cause: lastError }));
      } else {
        w.resolve();
      }
    }
  };

  // Resolves when the last in-flight batch has settled after close().
  let drained: (() => void) | null = null;
  const settled = (): boolean => {
    inFlight--;
    if (!closed) return false;
    if (inFlight === 0) drained?.();
    return true;
  };

  const onBatch = (ab: ArrayBuffer): void => {
    if (settled()) {
      new Uint8Array(ab).fill(0);
      return;
    }
    consecutiveFailures = 0;
    batches++;
    ring.push(ab);
    refill();
    settleReady();
  };
  const onFailure = (err: unknown): void => {
    if (settled()) return;
    failedBatches++;
    consecutiveFailures++;
    lastError = err;
    refill();
    settleReady();
  };

  // Why a deficit check rather than one request per batch taken: it keeps `lowWater` pairs
  // buffered or on their way, whatever the consumer's pace.
  function refill(): void {
    while (!closed && consecutiveFailures < MAX_CONSECUTIVE_FAILURES && ring.buffered + inFlight * batchSize < lowWater) {
      inFlight++;
      piscina.run(task).then(onBatch, onFailure);
    }
  }

  refill();

  return {
    take(): PkcePair {
      if (closed) throw new TokenstormError('ERR_POOL_CLOSED', 'verifier pool is closed');
      if (ring.buffered + inFlight * batchSize < lowWater) refill();
      taken++;
      const pair = ring.take();
      if (pair !== null) return pair;
      waits++;
      return generatePair(verifierLength);
    },
    ready(): Promise<void> {
      if (closed) return Promise.reject(new TokenstormError('ERR_POOL_CLOSED', 'verifier pool is closed'));
      return new Promise((resolve, reject) => {
        readyWaiters.push({ resolve, reject });
        settleReady();
      });
    },
    counters() {
      return { taken, waits };
    },
    stats(): VerifierPoolStats {
      const h = piscina.histogram;
      const runCount = piscina.completed;
      return {
        workers,
        taken,
        waits,
        batches,
        batchSize,
        buffered: ring.buffered,
        failedBatches,
        workerRunMs: timeSummary(h.runTime, runCount),
        workerWaitMs: timeSummary(h.waitTime, runCount),
      };
    },
    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      ring.clear();
      const waiters = readyWaiters;
      readyWaiters = [];
      for (const w of waiters) w.reject(new TokenstormError('ERR_POOL_CLOSED', 'verifier pool is closed'));
      // Let in-flight batches land before destroy(): piscina 5 throws an uncaught "Unexpected
      // message from Worker" (with the batch, i.e. secrets, in its text) when a result arrives
      // after destroy(). Bounded, in case a worker is stuck.
      const drain =
        inFlight === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, CLOSE_DRAIN_MS);
              drained = () => {
                clearTimeout(timer);
                resolve();
              };
            });
      const done = drain.then(() => piscina.destroy());
      closing = done;
      return done;
    },
  };
}

/** The thread-less pool: batches are filled on the caller's thread when the ring runs dry; never a wait. */
function inlinePool(batchSize: number, verifierLength: number): VerifierPool {
  const ring = new BatchRing(verifierLength);
  const none: WorkerTimeMs = { mean: 0, p50: 0, p99: 0, max: 0 };
  let closed = false;
  let taken = 0;
  let batches = 0;
  const closedError = (): TokenstormError => new TokenstormError('ERR_POOL_CLOSED', 'verifier pool is closed');
  return {
    take(): PkcePair {
      if (closed) throw closedError();
      taken++;
      let pair = ring.take();
      if (pair === null) {
        ring.push(fillBatch(batchSize, verifierLength));
        batches++;
        pair = ring.take();
      }
      // A freshly filled batch always holds a pair; the fallback only keeps the type honest.
      return pair ?? generatePair(verifierLength);
    },
    ready: () => (closed ? Promise.reject(closedError()) : Promise.resolve()),
    counters: () => ({ taken, waits: 0 }),
    stats: () => ({ workers: 0, taken, waits: 0, batches, batchSize, buffered: ring.buffered, failedBatches: 0, workerRunMs: none, workerWaitMs: none }),
    close(): Promise<void> {
      closed = true;
      ring.clear();
      return Promise.resolve();
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
