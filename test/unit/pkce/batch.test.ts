import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCount, batchLayout, fillBatch } from '../../../src/pkce/batch.ts';
import { BatchRing, SEGMENT_PAIRS } from '../../../src/pkce/ring.ts';
import { validateVerifier } from '../../../src/pkce/validate.ts';

const sha256b64url = (v: string): string => createHash('sha256').update(v, 'ascii').digest('base64url');

describe('fillBatch + BatchRing', () => {
  it('delivers valid pairs whose challenge is the createHash S256 (property over lengths and sizes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 43, max: 128 }), fc.integer({ min: 1, max: 700 }), (len, count) => {
        const ab = fillBatch(count, len);
        expect(ab.byteLength).toBe(batchLayout(count, len).sizeBytes);
        expect(batchCount(ab.byteLength, len)).toBe(count);
        const ring = new BatchRing(len);
        ring.push(ab);
        expect(ring.buffered).toBe(count);
        for (let i = 0; i < count; i++) {
          const p = ring.take()!;
          expect(validateVerifier(p.verifier)).toBeNull();
          expect(p.verifier).toHaveLength(len);
          expect(p.challenge).toBe(sha256b64url(p.verifier));
        }
        expect(ring.take()).toBeNull();
        expect(ring.buffered).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('crosses segment and batch boundaries in order and empties cleanly', () => {
    const ring = new BatchRing(43);
    const a = fillBatch(SEGMENT_PAIRS + 3, 43);
    const b = fillBatch(2, 43);
    const expected = [...decodeAll(a, SEGMENT_PAIRS + 3), ...decodeAll(b, 2)];
    ring.push(a);
    ring.push(b);
    const got: string[] = [];
    for (let p = ring.take(); p !== null; p = ring.take()) got.push(p.verifier);
    expect(got).toEqual(expected);
    ring.push(fillBatch(1, 43));
    expect(ring.take()).not.toBeNull();
    ring.push(fillBatch(5, 43));
    ring.clear();
    expect(ring.buffered).toBe(0);
    expect(ring.take()).toBeNull();
  });

  it('produces no duplicate among 1M verifiers', () => {
    // Memory: a Set of 1M full verifiers costs ~100 MB; a 72-bit prefix (12 chars, copied out of
    // the batch so batches can be freed) is as good a duplicate detector here: a full duplicate
    // implies a prefix duplicate, and 1M random 72-bit prefixes collide with p ≈ 1e-10.
    const seen = new Set<string>();
    const batch = 8192;
    let total = 0;
    while (total < 1_000_000) {
      const count = Math.min(batch, 1_000_000 - total);
      const buf = Buffer.from(fillBatch(count, 43));
      const stride = batchLayout(count, 43).verifierStride;
      for (let i = 0; i < count; i++) seen.add(buf.toString('latin1', i * stride, i * stride + 12));
      total += count;
    }
    expect(seen.size).toBe(1_000_000);
  });

  it('rejects a bad batch size', () => {
    expect(() => fillBatch(0, 43)).toThrow('batch count must be an integer ≥ 1 (got 0)');
  });
});

function decodeAll(ab: ArrayBuffer, count: number): string[] {
  const buf = Buffer.from(ab);
  const stride = batchLayout(count, 43).verifierStride;
  return Array.from({ length: count }, (_, i) => buf.toString('latin1', i * stride, i * stride + 43));
}
