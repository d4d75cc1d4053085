/**
 * Batches of verifier/challenge pairs as ASCII in one ArrayBuffer, so a worker thread can hand a
 * whole batch to the main thread as a transferable (strings cannot be transferred; buffers can).
 *
 * Layout for `count` pairs of verifiers of length L (stride S = L rounded up to a multiple of 4):
 * ```
 * [0, count·S)                 verifier i at i·S, L chars (the rest of the slot is unused)
 * [count·S, count·S + count·44) challenge i at count·S + i·44, 43 chars (the 44th is 'A')
 * ```
 * Why the odd strides: base64url maps 3 bytes to 4 chars, so with slots of a multiple of 3 input
 * bytes one native base64url call encodes many pairs at once and every pair lands on its own
 * slot. A 32-byte digest in a 33-byte slot whose last byte is 0 encodes to the 43 chars of the
 * unpadded base64url digest plus one 'A'.
 */
import { randomFillSync } from 'node:crypto';
import { sha256Into } from './sha256.ts';
import { assertVerifierLength, verifierRandomBytes, verifierStride } from './verifier.ts';

/** Characters per challenge slot in a batch. */
export const CHALLENGE_STRIDE = 44;
/** Characters of an S256 challenge. */
export const CHALLENGE_LENGTH = 43;
const DIGEST_SLOT = 33;
// Strings above V8's 128 KiB regular-object limit go to large-object space and cost ~50× more to
// create (measured); encode in chunks well below it.
const CHUNK_CHARS = 32 * 1024;

/** Where things are in a batch buffer. */
export interface BatchLayout {
  count: number;
  verifierLength: number;
  verifierStride: number;
  challengeOffset: number;
  sizeBytes: number;
}

/** The layout of a batch of `count` pairs with verifiers of `verifierLength` chars. */
export function batchLayout(count: number, verifierLength: number): BatchLayout {
  const stride = verifierStride(verifierLength);
  return {
    count,
    verifierLength,
    verifierStride: stride,
    challengeOffset: count * stride,
    sizeBytes: count * (stride + CHALLENGE_STRIDE),
  };
}

/** The pair count of a batch buffer, from its size. */
export function batchCount(sizeBytes: number, verifierLength: number): number {
  return sizeBytes / (verifierStride(verifierLength) + CHALLENGE_STRIDE);
}

// Per-thread scratch, grown on demand and reused across batches.
let randomScratch = Buffer.alloc(0);
let digestScratch = Buffer.alloc(0);

/**
 * Fills a new batch: one `randomFillSync` for all verifiers, chunked native base64url, one JS
 * SHA-256 per verifier, chunked native base64url of the digests.
 *
 * @example
 * const ab = fillBatch(1024, 43); // 1024 × (44 + 44) bytes
 */
export function fillBatch(count: number, verifierLength: number): ArrayBuffer {
  assertVerifierLength(verifierLength);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`batch count must be an integer ≥ 1 (got ${count})`);
  const layout = batchLayout(count, verifierLength);
  const stride = layout.verifierStride;
  const randomPerPair = verifierRandomBytes(verifierLength);
  const ab = new ArrayBuffer(layout.sizeBytes);
  const out = Buffer.from(ab);

  if (randomScratch.length < count * randomPerPair) randomScratch = Buffer.allocUnsafe(count * randomPerPair);
  // Zero-filled once: byte 32 of every digest slot stays 0 (see the layout note above).
  if (digestScratch.length < count * DIGEST_SLOT) digestScratch = Buffer.alloc(count * DIGEST_SLOT);
  const rnd = randomScratch;
  const dig = digestScratch;
  randomFillSync(rnd, 0, count * randomPerPair);

  const vChunk = Math.max(1, Math.floor(CHUNK_CHARS / stride));
  for (let i = 0; i < count; i += vChunk) {
    const n = Math.min(vChunk, count - i);
    out.write(rnd.toString('base64url', i * randomPerPair, (i + n) * randomPerPair), i * stride, 'latin1');
  }
  for (let i = 0; i < count; i++) sha256Into(out, i * stride, verifierLength, dig, i * DIGEST_SLOT);
  const cChunk = Math.floor(CHUNK_CHARS / CHALLENGE_STRIDE);
  for (let i = 0; i < count; i += cChunk) {
    const n = Math.min(cChunk, count - i);
    const s = dig.toString('base64url', i * DIGEST_SLOT, (i + n) * DIGEST_SLOT);
    out.write(s, layout.challengeOffset + i * CHALLENGE_STRIDE, 'latin1');
  }
  return ab;
}
