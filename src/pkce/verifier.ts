/**
 * RFC 7636 code verifiers: 43–128 characters of the unreserved alphabet `[A-Za-z0-9-._~]`.
 *
 * We draw 6 random bits per character (base64url of fresh random bytes), so a verifier of length
 * L carries 6·L bits: 258 bits at the default 43, above the 256 bits RFC 7636 §7.1 asks for.
 */
import { randomFillSync } from 'node:crypto';
import { TokenstormError } from '../errors.ts';

/** Shortest verifier RFC 7636 §4.1 allows. */
export const VERIFIER_MIN_LENGTH = 43;
/** Longest verifier RFC 7636 §4.1 allows. */
export const VERIFIER_MAX_LENGTH = 128;
/** Default length: 43 characters, 258 random bits. */
export const DEFAULT_VERIFIER_LENGTH = 43;

/**
 * Throws `ERR_USAGE` unless `length` is an integer in 43..128.
 *
 * @example
 * assertVerifierLength(64); // ok
 * assertVerifierLength(42); // throws "verifierLength must be an integer in 43..128 (got 42)"
 */
export function assertVerifierLength(length: number): void {
  if (!Number.isInteger(length) || length < VERIFIER_MIN_LENGTH || length > VERIFIER_MAX_LENGTH) {
    throw new TokenstormError(
      'ERR_USAGE',
      `verifierLength must be an integer in ${VERIFIER_MIN_LENGTH}..${VERIFIER_MAX_LENGTH} (got ${String(length)})`,
      { hint: 'RFC 7636 §4.1 allows 43 to 128 characters' },
    );
  }
}

/**
 * Characters reserved per verifier in a batch buffer: the length rounded up to a multiple of 4, so
 * each verifier is the base64url of exactly `verifierStride(L) * 3 / 4` random bytes and one
 * base64url pass over a whole batch of random bytes lands every verifier on its own slot.
 */
export function verifierStride(length: number): number {
  return Math.ceil(length / 4) * 4;
}

/** Random bytes drawn per verifier of `length` characters. */
export function verifierRandomBytes(length: number): number {
  return (verifierStride(length) / 4) * 3;
}

// Each call into the CSPRNG has a fixed cost (≈ 6 µs per randomBytes call on the 2-vCPU CI VM,
// against ≈ 0.2 ns per byte in bulk), so single verifiers draw from a small reserve filled in
// bulk. Every byte is used once and zeroed after use.
const RESERVE_BYTES = 4096;
const reserve = Buffer.alloc(RESERVE_BYTES);
let reservePos = RESERVE_BYTES;

/**
 * A fresh code verifier (for many, use the verifier pool).
 *
 * @example
 * const verifier = generateVerifier();      // 43 chars
 * const longer = generateVerifier(128);     // 128 chars
 */
export function generateVerifier(length: number = DEFAULT_VERIFIER_LENGTH): string {
  assertVerifierLength(length);
  const n = verifierRandomBytes(length);
  if (reservePos + n > RESERVE_BYTES) {
    randomFillSync(reserve);
    reservePos = 0;
  }
  const verifier = reserve.toString('base64url', reservePos, reservePos + n).slice(0, length);
  reserve.fill(0, reservePos, reservePos + n);
  reservePos += n;
  return verifier;
}
