/**
 * JWTs signed ahead of time on a worker thread (./sign-worker.ts), handed out one per request. A
 * JWT is only usable inside its time window, so each batch carries its signing time and JWTs older
 * than `maxAgeMs` are thrown away; when none is ready the caller signs inline and the pool counts
 * a "wait" (reported with the verifier pool's, so a report says whether signing held flows back).
 */
import { performance } from 'node:perf_hooks';
import type { Piscina } from 'piscina';
import { entryFile } from '../paths.ts';
import { lazyRequire } from '../lazy-require.ts';
import type { SignTask } from './sign-worker.ts';

export type { SignTask } from './sign-worker.ts';

/** piscina, loaded with a signing pool's first batch (client assertions, DPoP proofs). */
const piscina = lazyRequire<typeof import('piscina')>('piscina');

/** Counters of one presigner. */
export interface PresignedStats {
  taken: number;
  /** Takes that found nothing fresh (the caller signed inline). */
  waits: number;
  /** JWTs discarded because they aged past their window unused. */
  stale: number;
}

/** A source of presigned JWTs of one kind (one key, one audience or one htm/htu). */
export interface Presigner {
  /** A fresh JWT, or null when none is ready. */
  take(): string | null;
  stats(): PresignedStats;
}

/** Options of {@link SigningPool.presigner}. */
export interface PresignerOptions {
  /** JWTs per batch (default 64). */
  batchSize?: number;
  /** Keep at least this many ready or on their way (default 2 batches). */
  lowWater?: number;
  /** Older JWTs are not handed out (default 30 s: well inside a 60 s assertion or ±300 s DPoP window). */
  maxAgeMs?: number;
}

/**
 * One worker thread (by default) that signs for every presigner of a run.
 *
 * @example
 * await using signing = new SigningPool();
 * const proofs = signing.presigner({ kind: 'dpop', privateJwk, publicJwk, alg: 'ES256', htm: 'POST', htu, count: 0 });
 * const proof = proofs.take() ?? (await signInline());
 */
export class SigningPool implements AsyncDisposable {
  /** Created with the first batch: a run that signs nothing neither loads piscina nor starts a thread. */
  private piscina: Piscina<SignTask, string[]> | null = null;
  private readonly threads: number;
  private closed = false;
  private running = 0;
  private drained: (() => void) | null = null;
  private readonly all: Presigner[] = [];

  /** @param threads signing threads (default 1: on small machines the IdP needs the other cores) */
  constructor(threads = 1) {
    this.threads = threads;
  }

  private run(task: SignTask): Promise<string[]> {
    this.running++;
    this.piscina ??= new (piscina().Piscina)<SignTask, string[]>({ filename: entryFile('pkce/sign-worker'), minThreads: 0, maxThreads: this.threads, idleTimeout: 30_000 });
    return this.piscina.run(task).finally(() => {
      this.running--;
      if (this.running === 0) this.drained?.();
    });
  }

  /** A presigner for `task` (its `count` is replaced by the batch size). */
  presigner(task: SignTask, opts: PresignerOptions = {}): Presigner {
    const batchSize = opts.batchSize ?? 64;
    const lowWater = opts.lowWater ?? batchSize * 2;
    const maxAgeMs = opts.maxAgeMs ?? 30_000;
    const ready: Array<{ jwt: string; signedAt: number }> = [];
    let head = 0;
    let inFlight = 0;
    let failures = 0;
    const stats: PresignedStats = { taken: 0, waits: 0, stale: 0 };
    const refill = (): void => {
      // After repeated failures (a key the worker cannot import) the caller signs inline for good.
      while (!this.closed && failures < 3 && ready.length - head + inFlight * batchSize < lowWater) {
        inFlight++;
        const signedAt = performance.now();
        this.run({ ...task, count: batchSize }).then(
          (jwts) => {
            inFlight--;
            if (this.closed) return;
            failures = 0;
            for (const jwt of jwts) ready.push({ jwt, signedAt });
          },
          () => {
            inFlight--;
            failures++;
          },
        );
      }
    };
    refill();
    const presigner: Presigner = {
      take: () => {
        stats.taken++;
        const now = performance.now();
        while (head < ready.length && now - ready[head]!.signedAt > maxAgeMs) {
          head++;
          stats.stale++;
        }
        const next = head < ready.length ? ready[head++]!.jwt : null;
        // Compact now and then so the array does not grow without bound.
        if (head > 1024 && head * 2 > ready.length) {
          ready.splice(0, head);
          head = 0;
        }
        refill();
        if (next === null) stats.waits++;
        return next;
      },
      stats: () => ({ ...stats }),
    };
    this.all.push(presigner);
    return presigner;
  }

  /** Counters summed over every presigner of the run. */
  stats(): PresignedStats {
    const sum: PresignedStats = { taken: 0, waits: 0, stale: 0 };
    for (const p of this.all) {
      const s = p.stats();
      sum.taken += s.taken;
      sum.waits += s.waits;
      sum.stale += s.stale;
    }
    return sum;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let in-flight batches land first: piscina throws an uncaught error when a result arrives
    // after destroy(). Bounded, in case a worker is stuck.
    if (this.running > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.piscina?.destroy();
  }
}
