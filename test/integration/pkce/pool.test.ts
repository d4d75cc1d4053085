import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { batchCount } from '../../../src/pkce/batch.ts';
import { createVerifierPool, type VerifierPool } from '../../../src/pkce/pool.ts';
import { BatchRing } from '../../../src/pkce/ring.ts';
import { validateVerifier } from '../../../src/pkce/validate.ts';

const sha256b64url = (v: string): string => createHash('sha256').update(v, 'ascii').digest('base64url');
const pools: VerifierPool[] = [];
function track(pool: VerifierPool): VerifierPool {
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function expectCode(fn: () => unknown, code: string, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isTokenstormError(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  expect((caught as Error).message).toBe(message);
}

describe('verifier pool (piscina workers from source)', () => {
  it('delivers 200k valid pairs with matching S256 challenges', async () => {
    const pool = track(createVerifierPool({ workers: 2 }));
    await pool.ready();
    let bad = 0;
    for (let i = 0; i < 200_000; i++) {
      const { verifier, challenge } = pool.take();
      if (validateVerifier(verifier) !== null || verifier.length !== 43 || challenge !== sha256b64url(verifier)) bad++;
      if ((i & 1023) === 1023) await yieldToLoop();
    }
    expect(bad).toBe(0);
    const stats = pool.stats();
    expect(stats.taken).toBe(200_000);
    expect(stats.workers).toBe(2);
    expect(stats.batchSize).toBe(1024);
    expect(stats.failedBatches).toBe(0);
    // Most pairs came from workers (the rest, if any, were generated inline and counted).
    expect(stats.batches).toBeGreaterThan(0);
    expect(stats.batches * stats.batchSize + stats.waits).toBeGreaterThanOrEqual(200_000 - stats.buffered);
    expect(stats.workerRunMs.mean).toBeGreaterThan(0);
  });

  it('honours verifierLength', async () => {
    const pool = track(createVerifierPool({ workers: 1, batchSize: 64, verifierLength: 128 }));
    await pool.ready();
    for (let i = 0; i < 500; i++) {
      const { verifier, challenge } = pool.take();
      expect(verifier).toHaveLength(128);
      expect(validateVerifier(verifier)).toBeNull();
      expect(challenge).toBe(sha256b64url(verifier));
    }
  });

  it('never blocks: counts waits and generates valid pairs inline when starved', async () => {
    const pool = track(createVerifierPool({ workers: 1, batchSize: 4, lowWater: 8 }));
    await pool.ready();
    // A tight loop with no yield: no batch can arrive, so all but the buffered 8 are inline.
    for (let i = 0; i < 5000; i++) {
      const { verifier, challenge } = pool.take();
      expect(challenge).toBe(sha256b64url(verifier));
    }
    const stats = pool.stats();
    expect(stats.taken).toBe(5000);
    expect(stats.waits).toBeGreaterThanOrEqual(5000 - 8);
    expect(stats.waits).toBeLessThan(5000);
  });

  it('close() stops the workers; take() after close throws ERR_POOL_CLOSED', async () => {
    const pool = createVerifierPool({ workers: 1, batchSize: 16 });
    await pool.ready();
    pool.take();
    await pool.close();
    await pool.close();
    expectCode(() => pool.take(), 'ERR_POOL_CLOSED', 'verifier pool is closed');
    await expect(pool.ready()).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
    expect(pool.stats().buffered).toBe(0);
  });

  it('close() while batches are in flight resolves and rejects pending ready()', async () => {
    const pool = createVerifierPool({ workers: 1, batchSize: 4096 });
    const ready = pool.ready().then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await pool.close();
    expect(await ready).toMatchObject({ code: 'ERR_POOL_CLOSED' });
  });

  it('rejects bad options with ERR_USAGE naming the value', () => {
    expectCode(() => createVerifierPool({ workers: -1 }), 'ERR_USAGE', 'workers must be an integer in 0..1024 (got -1)');
    expectCode(() => createVerifierPool({ batchSize: 1.5 }), 'ERR_USAGE', 'batchSize must be an integer in 1..65536 (got 1.5)');
    expectCode(
      () => createVerifierPool({ workers: 1, verifierLength: 42 }),
      'ERR_USAGE',
      'verifierLength must be an integer in 43..128 (got 42)',
    );
  });
});

describe('verifier pool without threads (workers: 0)', () => {
  it('serves valid pairs filled inline in small batches, never counting a wait', async () => {
    const pool = track(createVerifierPool({ workers: 0 }));
    await pool.ready();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const p = pool.take();
      expect(validateVerifier(p.verifier)).toBeNull();
      expect(p.challenge).toBe(sha256b64url(p.verifier));
      seen.add(p.verifier);
    }
    expect(seen.size).toBe(1000);
    const s = pool.stats();
    expect(s).toMatchObject({ workers: 0, taken: 1000, waits: 0, failedBatches: 0, batchSize: 64 });
    // 1000 pairs in 64-pair batches: 16 fills, 24 pairs left over.
    expect(s.batches).toBe(16);
    expect(s.buffered).toBe(24);
    expect(pool.counters()).toEqual({ taken: 1000, waits: 0 });
  });

  it('honours verifierLength and refuses takes after close()', async () => {
    const pool = createVerifierPool({ workers: 0, verifierLength: 128 });
    expect(pool.take().verifier).toHaveLength(128);
    await pool.close();
    expectCode(() => pool.take(), 'ERR_POOL_CLOSED', 'verifier pool is closed');
    await expect(pool.ready()).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
  });
});

describe('the bundled worker (dist/pkce/worker.js, written by npm run build)', () => {
  const bundled = fileURLToPath(new URL('../../../dist/pkce/worker.js', import.meta.url));

  it.runIf(existsSync(bundled))('fills a transferable batch of valid pairs', async () => {
    const piscina = new Piscina({ filename: bundled, minThreads: 1, maxThreads: 1 });
    try {
      const ab: ArrayBuffer = await piscina.run({ count: 300, verifierLength: 43 });
      expect(ab).toBeInstanceOf(ArrayBuffer);
      expect(batchCount(ab.byteLength, 43)).toBe(300);
      const ring = new BatchRing(43);
      ring.push(ab);
      for (let p = ring.take(); p !== null; p = ring.take()) {
        expect(validateVerifier(p.verifier)).toBeNull();
        expect(p.challenge).toBe(sha256b64url(p.verifier));
      }
    } finally {
      await piscina.destroy();
    }
  });
});
