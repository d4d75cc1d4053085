/**
 * Client authentication methods and DPoP keys (RFC 6749 §2.3.1, RFC 7523 private_key_jwt,
 * RFC 9449 DPoP), built from the scenario's `target.client`. Secrets and keys stay in memory;
 * `secrets()` lists them so outputs can be scrubbed and scanned.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { importJWK, importPKCS8 } from 'jose/key/import';
import { SignJWT } from 'jose/jwt/sign';
import type { Presigner, SigningPool } from '../pkce/presigned.ts';
import { TokenstormError } from '../errors.ts';
import { type ClientAuth, type ClientCredentials, type DpopSigner, publicClient } from '../flow/client-auth.ts';
import { formValue } from '../flow/http.ts';

/** The scenario's client section, validated. */
export interface ClientAuthSettings {
  auth: ClientAuth['method'];
  clientSecret?: string;
  /** private_key_jwt: a PKCS#8 PEM file or a private JWK (JSON) file. */
  privateKeyFile?: string;
  /** Already loaded private JWK (the embedded IdP hands its test key over this way). */
  privateJwk?: JWK;
  /** `ES256` (default) or `EdDSA`. */
  assertionAlg?: 'ES256' | 'EdDSA';
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before base64 (badly encoded values are rejected). */
function basicHeader(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formValue(clientId)}:${formValue(secret)}`).toString('base64')}`;
}

// Assertions live this long: short, so a captured one is useless soon; long enough for a slow IdP.
const ASSERTION_TTL_SEC = 60;

type SigningKey = Parameters<SignJWT['sign']>[0];

/** The key as a private JWK (for the signing worker) and imported (for inline signing). */
async function loadSigningKey(s: ClientAuthSettings): Promise<{ key: SigningKey; jwk: JWK; alg: string; kid?: string }> {
  const alg = s.assertionAlg ?? 'ES256';
  let jwk = s.privateJwk;
  if (!jwk && s.privateKeyFile) {
    let text: string;
    try {
      text = await readFile(s.privateKeyFile, 'utf8');
    } catch (err) {
      throw new TokenstormError('ERR_SCENARIO_INVALID', `target.client.privateKeyFile ${s.privateKeyFile} cannot be read (${(err as { code?: string }).code ?? 'error'})`);
    }
    if (text.trimStart().startsWith('{')) {
      try {
        jwk = JSON.parse(text) as JWK;
      } catch {
        throw new TokenstormError('ERR_SCENARIO_INVALID', `target.client.privateKeyFile ${s.privateKeyFile} is neither a PEM nor a JWK`);
      }
    } else {
      try {
        const key = await importPKCS8(text, alg, { extractable: true });
        return { key, jwk: await exportJWK(key), alg };
      } catch {
        throw new TokenstormError('ERR_SCENARIO_INVALID', `target.client.privateKeyFile ${s.privateKeyFile} is not a PKCS#8 ${alg} private key`);
      }
    }
  }
  if (!jwk) throw new TokenstormError('ERR_SCENARIO_INVALID', 'target.client.auth private_key_jwt needs target.client.privateKeyFile');
  try {
    return { key: await importJWK(jwk, jwk.alg ?? alg), jwk, alg: jwk.alg ?? alg, ...(jwk.kid ? { kid: jwk.kid } : {}) };
  } catch {
    throw new TokenstormError('ERR_SCENARIO_INVALID', 'target.client private key is not a usable private JWK');
  }
}

/** Where assertions are addressed, and the worker pool that signs them ahead of time. */
export interface SigningContext {
  /** The issuer identifier: the `aud` of every client assertion (accepted at the token and PAR endpoints alike). */
  issuer: string;
  /** Presign in this pool; without it every JWT is signed inline. */
  signing?: SigningPool;
}

/**
 * Builds the client's authentication method.
 *
 * @example
 * const auth = await createClientAuth('my-client', { auth: 'client_secret_basic', clientSecret: process.env.SECRET }, { issuer });
 */
export async function createClientAuth(clientId: string, s: ClientAuthSettings, where: SigningContext): Promise<ClientAuth> {
  switch (s.auth) {
    case 'none':
      return publicClient(clientId);
    case 'client_secret_basic':
    case 'client_secret_post': {
      const secret = s.clientSecret;
      if (!secret) throw new TokenstormError('ERR_SCENARIO_INVALID', `target.client.auth ${s.auth} needs target.client.clientSecret`);
      const parts: ClientCredentials =
        s.auth === 'client_secret_basic'
          ? { form: '', headers: { authorization: basicHeader(clientId, secret) }, secrets: [secret] }
          : { form: `&client_id=${formValue(clientId)}&client_secret=${formValue(secret)}`, secrets: [secret] };
      return { method: s.auth, clientId, credentials: () => parts, secrets: () => [secret] };
    }
    case 'private_key_jwt': {
      const { key, jwk, alg, kid } = await loadSigningKey(s);
      const issued: string[] = [];
      const presigned: Presigner | null =
        where.signing?.presigner({ kind: 'assertion', privateJwk: jwk, alg, ...(kid ? { kid } : {}), clientId, audience: where.issuer, ttlSec: ASSERTION_TTL_SEC, count: 0 }) ?? null;
      return {
        method: 'private_key_jwt',
        clientId,
        async credentials() {
          const nowSec = Math.floor(Date.now() / 1000);
          // A unique jti and a short exp: the IdP stores every jti to refuse replays.
          const assertion =
            presigned?.take() ??
            (await new SignJWT({})
              .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
              .setIssuer(clientId)
              .setSubject(clientId)
              .setAudience(where.issuer)
              .setJti(randomUUID())
              .setIssuedAt(nowSec)
              .setExpirationTime(nowSec + ASSERTION_TTL_SEC)
              .sign(key));
          // Kept briefly so tests can scan outputs for assertions; bounded.
          if (issued.length < 64) issued.push(assertion);
          return {
            form: `&client_id=${formValue(clientId)}&client_assertion_type=${formValue('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=${assertion}`,
            secrets: [assertion],
          };
        },
        secrets: () => [...issued],
      };
    }
  }
}

/**
 * A DPoP key pair for the run and its proof signer (RFC 9449 §4.2).
 *
 * @example
 * const dpop = await createDpopSigner('ES256', signingPool);
 * headers.dpop = await dpop.proof('POST', tokenEndpoint);
 */
export async function createDpopSigner(alg: 'ES256' | 'EdDSA' = 'ES256', signing?: SigningPool): Promise<DpopSigner> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const jwk = { kty, crv, x, ...(y ? { y } : {}) } as JWK;
  const privateJwk = signing ? await exportJWK(privateKey) : null;
  // Proofs without a nonce depend only on htm and htu: presign per pair. With a nonce, inline.
  const presigners = new Map<string, Presigner>();
  return {
    alg,
    async proof(htm, htu, nonce) {
      const url = `${htu.origin}${htu.pathname}`;
      if (signing && privateJwk && !nonce) {
        const k = `${htm} ${url}`;
        let p = presigners.get(k);
        if (!p) {
          p = signing.presigner({ kind: 'dpop', privateJwk, publicJwk: jwk, alg, htm, htu: url, count: 0 });
          presigners.set(k, p);
        }
        const ready = p.take();
        if (ready) return ready;
      }
      return new SignJWT({ htm, htu: url, ...(nonce ? { nonce } : {}) })
        .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk })
        .setJti(randomUUID())
        .setIssuedAt()
        .sign(privateKey);
    },
  };
}
