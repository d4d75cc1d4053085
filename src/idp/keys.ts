/**
 * Signing keys for the embedded IdP. oidc-provider's development keys are RSA; an EC P-256 key
 * signs ID tokens roughly an order of magnitude cheaper, which matters when the IdP has to sustain
 * hundreds of flows per second on one core.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JWK } from 'jose';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';

/**
 * Generates a fresh ES256 signing key as a private JWK with `kid`, `alg` and `use` set.
 *
 * @example
 * const jwk = await generateSigningJwk();
 * new Provider(issuer, { jwks: { keys: [jwk] } });
 */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `ts-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' };
}

/** The Keygrip interface koa's `cookies` package calls to sign and check `.sig` cookies. */
export interface CookieKeygrip {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

/**
 * A cookie signer with one random key for the life of the IdP process (never persisted, never
 * printed). Cookies stay signed like a real deployment's, at a third of the cost: given an array,
 * koa builds a new Keygrip per request, which imports the key string for every HMAC and compares
 * signatures through two further HMACs (tsscmp); this keeps one KeyObject and compares with
 * `timingSafeEqual`. That was ~12% of the IdP's CPU per login flow.
 *
 * @example
 * new Provider(issuer, { cookies: { keys: createCookieKeygrip() } });
 */
export function createCookieKeygrip(): CookieKeygrip {
  const key = createSecretKey(randomBytes(32));
  const sign = (data: string): string => createHmac('sha256', key).update(data).digest('base64url');
  const index = (data: string, digest: string): number => {
    const expected = Buffer.from(sign(data));
    const actual = Buffer.from(digest);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? 0 : -1;
  };
  return { sign, index, verify: (data, digest) => index(data, digest) === 0 };
}
