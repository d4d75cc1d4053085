/**
 * Piscina worker that signs JWTs ahead of time: private_key_jwt client assertions (RFC 7523) and
 * DPoP proofs (RFC 9449) without a server nonce. Signing is the costliest step a flow adds on the
 * harness side (ES256 ≈ 250 µs); batches signed here keep it off the load generator's event loop.
 * Located with `entryFile('pkce/sign-worker')`.
 */
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { importJWK } from 'jose/key/import';
import { SignJWT } from 'jose/jwt/sign';

/** One batch to sign. Every JWT gets its own `jti` and the `iat` of the moment it is signed. */
export type SignTask =
  | { kind: 'assertion'; privateJwk: JWK; alg: string; kid?: string; clientId: string; audience: string; ttlSec: number; count: number }
  | { kind: 'dpop'; privateJwk: JWK; publicJwk: JWK; alg: string; htm: string; htu: string; count: number };

const keys = new Map<string, Promise<Parameters<SignJWT['sign']>[0]>>();

function keyOf(jwk: JWK, alg: string): Promise<Parameters<SignJWT['sign']>[0]> {
  // Workers live for the whole run: import each key once.
  const id = `${alg}:${jwk.kid ?? ''}:${jwk.x ?? ''}`;
  let k = keys.get(id);
  if (!k) {
    k = importJWK(jwk, alg) as Promise<Parameters<SignJWT['sign']>[0]>;
    keys.set(id, k);
  }
  return k;
}

/**
 * Signs `task.count` JWTs.
 *
 * @example
 * await piscina.run({ kind: 'dpop', privateJwk, publicJwk, alg: 'ES256', htm: 'POST', htu, count: 64 });
 */
export default async function signBatch(task: SignTask): Promise<string[]> {
  const key = await keyOf(task.privateJwk, task.alg);
  const out: string[] = [];
  for (let i = 0; i < task.count; i++) {
    const nowSec = Math.floor(Date.now() / 1000);
    if (task.kind === 'assertion') {
      out.push(
        await new SignJWT({})
          .setProtectedHeader({ alg: task.alg, ...(task.kid ? { kid: task.kid } : {}) })
          .setIssuer(task.clientId)
          .setSubject(task.clientId)
          .setAudience(task.audience)
          .setJti(randomUUID())
          .setIssuedAt(nowSec)
          .setExpirationTime(nowSec + task.ttlSec)
          .sign(key),
      );
    } else {
      out.push(
        await new SignJWT({ htm: task.htm, htu: task.htu })
          .setProtectedHeader({ alg: task.alg, typ: 'dpop+jwt', jwk: task.publicJwk })
          .setJti(randomUUID())
          .setIssuedAt(nowSec)
          .sign(key),
      );
    }
  }
  return out;
}
