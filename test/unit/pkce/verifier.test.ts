import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { challengeFor, challengeS256, generatePair } from '../../../src/pkce/challenge.ts';
import { validateS256Challenge, validateVerifier } from '../../../src/pkce/validate.ts';
import { assertVerifierLength, generateVerifier, verifierRandomBytes } from '../../../src/pkce/verifier.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const sha256b64url = (v: string): string => createHash('sha256').update(v, 'ascii').digest('base64url');
const lengthArb = fc.integer({ min: 43, max: 128 });

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isTokenstormError(err, 'ERR_USAGE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected ERR_USAGE');
}

describe('generateVerifier', () => {
  it('has the requested length and only unreserved characters (property)', () => {
    fc.assert(
      fc.property(lengthArb, (len) => {
        const v = generateVerifier(len);
        expect(v).toHaveLength(len);
        expect(v).toMatch(UNRESERVED);
        expect(validateVerifier(v)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('defaults to 43 characters from at least 256 random bits', () => {
    expect(generateVerifier()).toHaveLength(43);
    // 6 bits per character, every character drawn from fresh random bytes.
    expect(verifierRandomBytes(43) * 8).toBeGreaterThanOrEqual(256);
    expect(verifierRandomBytes(128)).toBe(96);
  });

  it('uses every one of the 64 characters in every position', () => {
    const seen = Array.from({ length: 43 }, () => new Set<string>());
    for (let i = 0; i < 5000; i++) {
      const v = generateVerifier();
      for (let j = 0; j < 43; j++) seen[j]!.add(v[j]!);
    }
    expect(seen.map((s) => s.size)).toEqual(Array(43).fill(64));
  });

  it('rejects lengths outside 43..128 with ERR_USAGE naming the value', () => {
    expect(usageError(() => generateVerifier(42))).toBe('verifierLength must be an integer in 43..128 (got 42)');
    expect(usageError(() => generateVerifier(129))).toBe('verifierLength must be an integer in 43..128 (got 129)');
    expect(usageError(() => assertVerifierLength(43.5))).toBe('verifierLength must be an integer in 43..128 (got 43.5)');
    expect(usageError(() => assertVerifierLength(Number.NaN))).toBe('verifierLength must be an integer in 43..128 (got NaN)');
  });

  it('does not repeat across 100k single generations', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateVerifier());
    expect(seen.size).toBe(100_000);
  });
});

describe('challenges', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('S256 equals BASE64URL(SHA256(ASCII(verifier))) by createHash (property)', () => {
    fc.assert(
      fc.property(lengthArb, (len) => {
        const { verifier, challenge } = generatePair(len);
        expect(verifier).toHaveLength(len);
        expect(challenge).toBe(sha256b64url(verifier));
        expect(validateS256Challenge(challenge)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('plain is the verifier itself', () => {
    const v = generateVerifier();
    expect(challengeFor(v, 'plain')).toBe(v);
    expect(challengeFor(v, 'S256')).toBe(sha256b64url(v));
  });
});

describe('validateVerifier', () => {
  const unreserved = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~');

  it('accepts any 43..128 string of unreserved characters (property)', () => {
    fc.assert(
      fc.property(fc.array(unreserved, { minLength: 43, maxLength: 128 }), (chars) => {
        expect(validateVerifier(chars.join(''))).toBeNull();
      }),
    );
  });

  it('rejects 42 and 129 characters', () => {
    expect(validateVerifier('a'.repeat(42))).toBe('verifier length 42 is outside 43..128');
    expect(validateVerifier('a'.repeat(129))).toBe('verifier length 129 is outside 43..128');
    expect(validateVerifier('')).toBe('verifier length 0 is outside 43..128');
    expect(validateVerifier('a'.repeat(43))).toBeNull();
    expect(validateVerifier('a'.repeat(128))).toBeNull();
  });

  it('rejects any character outside the unreserved set, naming only its index (property)', () => {
    const illegal = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 1 })
      .filter((c) => !/^[A-Za-z0-9\-._~]$/.test(c));
    fc.assert(
      fc.property(fc.array(unreserved, { minLength: 43, maxLength: 127 }), illegal, fc.nat(), (chars, bad, at) => {
        const i = at % (chars.length + 1);
        const v = [...chars.slice(0, i), bad, ...chars.slice(i)].join('');
        if (v.length > 128) return;
        const reason = validateVerifier(v);
        expect(reason).toBe(`verifier has a character outside [A-Za-z0-9-._~] at index ${v.search(/[^A-Za-z0-9\-._~]/)}`);
      }),
      { numRuns: 500 },
    );
    for (const c of ['+', '/', '=', ' ', '%', 'é']) expect(validateVerifier('a'.repeat(43) + c)).not.toBeNull();
  });
});
