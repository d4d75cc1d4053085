/**
 * RFC 7636 §4.2 code challenges: S256 = BASE64URL(SHA256(ASCII(verifier))), plain = the verifier.
 */
import { hash } from 'node:crypto';
import { DEFAULT_VERIFIER_LENGTH, generateVerifier } from './verifier.ts';

/** Challenge methods of RFC 7636 §4.2. */
export type ChallengeMethod = 'S256' | 'plain';

/** A verifier and its S256 challenge. */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** Length of every S256 challenge: base64url of 32 bytes without padding. */
export const S256_CHALLENGE_LENGTH = 43;

/**
 * The S256 challenge of `verifier`.
 *
 * @example
 * challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' (RFC 7636 appendix B)
 */
export function challengeS256(verifier: string): string {
  // crypto.hash is the cheapest one-shot digest in node:crypto; the verifier is ASCII, so the
  // string's UTF-8 encoding equals its ASCII encoding.
  return hash('sha256', verifier, 'base64url');
}

/** The challenge of `verifier` for `method`. */
export function challengeFor(verifier: string, method: ChallengeMethod): string {
  return method === 'S256' ? challengeS256(verifier) : verifier;
}

/**
 * One verifier and its S256 challenge, generated inline (≈ 1 µs). The pool does the same in
 * batches on worker threads.
 *
 * @example
 * const { verifier, challenge } = generatePair();
 */
export function generatePair(length: number = DEFAULT_VERIFIER_LENGTH): PkcePair {
  const verifier = generateVerifier(length);
  return { verifier, challenge: challengeS256(verifier) };
}
