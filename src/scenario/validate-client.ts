/**
 * `target.client`: how the client authenticates at the token endpoint and whether it proves
 * possession with DPoP. Secrets never need to live in a scenario file: `clientSecret` and
 * `privateKeyFile` take `{ env: "NAME" }`, read from the environment when the scenario is loaded.
 */
import { objectAt, oneOf, secretAt } from './checks.ts';
import type { Obj, Problems } from './checks.ts';
import type { ClientPlan } from './types.ts';

const CLIENT_KEYS = ['auth', 'clientSecret', 'privateKeyFile', 'assertionAlg', 'dpop', 'par'];
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/**
 * Reads `target.client`; a missing section is a public client without DPoP.
 *
 * @example
 * readClient({ auth: 'client_secret_basic', clientSecret: { env: 'IDP_SECRET' } }, problems);
 */
export function readClient(v: unknown, p: Problems): ClientPlan {
  const o: Obj = (v === undefined ? {} : objectAt(v, 'target.client', CLIENT_KEYS, p)) ?? {};
  const auth = oneOf(o, 'auth', 'target.client', AUTH_METHODS, p) ?? 'none';
  const clientSecret = secretAt(o, 'clientSecret', 'target.client', p);
  const privateKeyFile = secretAt(o, 'privateKeyFile', 'target.client', p);
  const assertionAlg = oneOf(o, 'assertionAlg', 'target.client', ['ES256', 'EdDSA'] as const, p) ?? 'ES256';
  let dpop: ClientPlan['dpop'] = null;
  const d = o.dpop;
  if (d === true) dpop = 'ES256';
  else if (d === 'ES256' || d === 'EdDSA') dpop = d;
  else if (d !== undefined && d !== false) p.push(`target.client.dpop must be true, false, 'ES256' or 'EdDSA'`);
  const par = o.par === undefined ? false : o.par === true ? true : o.par === false ? false : null;
  if (par === null) p.push('target.client.par must be true or false');
  if (auth === 'none' && clientSecret !== undefined) p.push('target.client.clientSecret is set but target.client.auth is none (use client_secret_basic or client_secret_post)');
  return {
    auth,
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(privateKeyFile !== undefined ? { privateKeyFile } : {}),
    assertionAlg,
    dpop,
    par: par === true,
  };
}
