/**
 * `tokenstorm bench verifiers`: how fast can PKCE pairs reach a consumer, measured side by side in
 * one process: (a) naive inline `randomBytes(32)` + `createHash` per pair, (b) inline batches
 * (the pool's batch code on the consumer's own thread), (c) the piscina pool.
 *
 * The consumer takes pairs as fast as it can, touches each one (so nothing is optimised away) and
 * yields to the event loop every chunk, as a flow engine would between flows.
 */
import { availableParallelism } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fillBatch } from './batch.ts';
import type { PkcePair } from './challenge.ts';
import { createVerifierPool } from './pool.ts';
import { BatchRing } from './ring.ts';
import { DEFAULT_VERIFIER_LENGTH } from './verifier.ts';

/** Options of {@link runVerifierBench}. */
export interface VerifierBenchOptions {
  /** Pool workers (default `os.availableParallelism()`). */
  workers?: number;
  /** Measured seconds per variant (default 2). */
  seconds?: number;
  /** Pairs per batch for (b) and (c) (default: the pool's default). */
  batchSize?: number;
}

/** What `tokenstorm bench verifiers --json` prints. */
export interface VerifierBenchResult {
  naivePairsPerSec: number;
  batchedPairsPerSec: number;
  poolPairsPerSec: number;
  poolVsNaive: number;
  batchedVsNaive: number;
  /**
   * Pairs one worker produces per second of its own run time (batch size ÷ mean batch run time):
   * what a worker core delivers when it has a core to itself, so the figure carries to larger
   * machines (× workers), unlike `poolPairsPerSec`, which on a small machine is capped by the
   * consumer and the workers sharing cores.
   */
  poolPairsPerSecPerWorker: number;
  /** poolPairsPerSec ÷ workers: what each worker delivered in this run, shared cores included. */
  poolPairsPerSecPerWorkerWall: number;
  /** Consumer time per pair served from the pool's ring (chunks without waits). */
  consumerNsPerPair: number;
  /** Consumer time per pair over the whole pool run, inline generation on waits included. */
  consumerNsPerPairAllIn: number;
  poolTaken: number;
  poolWaits: number;
  poolBatches: number;
  workerRunMsMean: number;
  workerWaitMsMean: number;
  workers: number;
  batchSize: number;
  seconds: number;
  node: string;
  cpus: number;
}

const DEFAULT_SECONDS = 2;
const BATCH_SIZE = 1024;
// Takes between yields in the pool run: short enough that batches arriving from workers are
// picked up (and the next tasks posted) promptly even when the consumer is generating inline.
const POOL_CHUNK = 256;

interface ConsumeResult {
  pairs: number;
  elapsedMs: number;
  busyMs: number;
  cleanBusyMs: number;
  cleanPairs: number;
  sink: number;
}

/** Takes pairs for `seconds`, in chunks of `chunk` with a yield between chunks. */
async function consume(
  take: () => PkcePair,
  seconds: number,
  chunk: number,
  waits: () => number = () => 0,
): Promise<ConsumeResult> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let pairs = 0;
  let busyMs = 0;
  let cleanBusyMs = 0;
  let cleanPairs = 0;
  let sink = 0;
  let now = start;
  while (now < end) {
    const w0 = waits();
    const t0 = performance.now();
    for (let i = 0; i < chunk; i++) {
      const p = take();
      sink += p.verifier.length + p.challenge.charCodeAt(p.challenge.length - 1);
    }
    now = performance.now();
    busyMs += now - t0;
    pairs += chunk;
    if (waits() === w0) {
      cleanBusyMs += now - t0;
      cleanPairs += chunk;
    }
    await yieldToLoop();
    now = performance.now();
  }
  return { pairs, elapsedMs: now - start, busyMs, cleanBusyMs, cleanPairs, sink };
}

function naiveTake(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function batchedTaker(batchSize: number): () => PkcePair {
  const ring = new BatchRing(DEFAULT_VERIFIER_LENGTH);
  return () => {
    const p = ring.take();
    if (p !== null) return p;
    ring.push(fillBatch(batchSize, DEFAULT_VERIFIER_LENGTH));
    return ring.take()!;
  };
}

const perSec = (r: ConsumeResult): number => (r.pairs / r.elapsedMs) * 1000;
const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

/**
 * Runs the three variants one after the other and returns their rates.
 *
 * @example
 * const r = await runVerifierBench({ workers: 2, seconds: 1 });
 * console.log(r.poolVsNaive);
 */
export async function runVerifierBench(opts: VerifierBenchOptions = {}): Promise<VerifierBenchResult> {
  const seconds = opts.seconds ?? DEFAULT_SECONDS;
  const workers = opts.workers ?? availableParallelism();
  const batchSize = opts.batchSize ?? BATCH_SIZE;
  // Warm-ups are short and unmeasured: each variant is measured with JIT-compiled code, as it
  // would run a few seconds into a load test.
  const warmSeconds = Math.min(0.5, seconds / 2);

  await consume(naiveTake, warmSeconds / 2, 64);
  const naive = await consume(naiveTake, seconds, 64);

  const batchedTake = batchedTaker(batchSize);
  await consume(batchedTake, warmSeconds, 1024);
  const batched = await consume(batchedTake, seconds, 1024);

  const pool = createVerifierPool({ workers, batchSize });
  let pooled: ConsumeResult;
  let stats: ReturnType<typeof pool.stats>;
  try {
    await pool.ready();
    const poolWaits = () => pool.counters().waits;
    await consume(() => pool.take(), warmSeconds * 2, POOL_CHUNK, poolWaits);
    const before = pool.stats();
    pooled = await consume(() => pool.take(), seconds, POOL_CHUNK, poolWaits);
    const after = pool.stats();
    stats = { ...after, taken: after.taken - before.taken, waits: after.waits - before.waits, batches: after.batches - before.batches };
  } finally {
    await pool.close();
  }

  const naiveRate = perSec(naive);
  const poolRate = perSec(pooled);
  const clean = pooled.cleanPairs > 0 ? (pooled.cleanBusyMs * 1e6) / pooled.cleanPairs : cleanRingCost(batchSize);
  return {
    naivePairsPerSec: round(naiveRate),
    batchedPairsPerSec: round(perSec(batched)),
    poolPairsPerSec: round(poolRate),
    poolVsNaive: round(poolRate / naiveRate, 2),
    batchedVsNaive: round(perSec(batched) / naiveRate, 2),
    poolPairsPerSecPerWorker: stats.workerRunMs.mean > 0 ? round((batchSize * 1000) / stats.workerRunMs.mean) : 0,
    poolPairsPerSecPerWorkerWall: round(poolRate / workers),
    consumerNsPerPair: round(clean, 1),
    consumerNsPerPairAllIn: round((pooled.busyMs * 1e6) / pooled.pairs, 1),
    poolTaken: stats.taken,
    poolWaits: stats.waits,
    poolBatches: stats.batches,
    workerRunMsMean: round(stats.workerRunMs.mean, 3),
    workerWaitMsMean: round(stats.workerWaitMs.mean, 3),
    workers,
    batchSize,
    seconds,
    node: process.version,
    cpus: availableParallelism(),
  };
}

// Fallback when every pool chunk saw a wait: the cost of take() from a pre-filled ring.
function cleanRingCost(batchSize: number): number {
  const ring = new BatchRing(DEFAULT_VERIFIER_LENGTH);
  const batches = Math.max(1, Math.ceil(65_536 / batchSize));
  for (let i = 0; i < batches; i++) ring.push(fillBatch(batchSize, DEFAULT_VERIFIER_LENGTH));
  const n = ring.buffered;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += ring.take()!.verifier.length;
  const ns = ((performance.now() - t0) * 1e6) / n;
  return sink > 0 ? ns : Number.NaN;
}
