/**
 * Syntax checks of RFC 7636 §4.1 for verifiers and of §4.2 for S256 challenges. The reason never
 * contains the value itself, so it is safe to log.
 */
import { VERIFIER_MAX_LENGTH, VERIFIER_MIN_LENGTH } from './verifier.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const BASE64URL_43 = /^[A-Za-z0-9_-]{43}$/;

/**
 * Why `v` is not a valid code verifier, or `null` when it is.
 *
 * @example
 * validateVerifier('a'.repeat(42)); // 'verifier length 42 is outside 43..128'
 * validateVerifier('a'.repeat(43)); // null
 */
export function validateVerifier(v: string): string | null {
  if (typeof v !== 'string') return 'verifier is not a string';
  if (v.length < VERIFIER_MIN_LENGTH || v.length > VERIFIER_MAX_LENGTH) {
    return `verifier length ${v.length} is outside ${VERIFIER_MIN_LENGTH}..${VERIFIER_MAX_LENGTH}`;
  }
  if (!UNRESERVED.test(v)) {
    const at = v.search(/[^A-Za-z0-9\-._~]/);
    return `verifier has a character outside [A-Za-z0-9-._~] at index ${at}`;
  }
  return null;
}

/** Why `c` is not a well-formed S256 challenge (43 base64url characters), or `null`. */
export function validateS256Challenge(c: string): string | null {
  if (typeof c !== 'string') return 'challenge is not a string';
  return BASE64URL_43.test(c) ? null : 'challenge is not 43 base64url characters';
}
