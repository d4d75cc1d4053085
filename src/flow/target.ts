/**
 * The target as the flow driver sees it: endpoints from discovery, the client, the login user and
 * the ID-token key set.
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose/jwks/local';
import { loopbackProblem } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import { printableUrl, stripControl } from '../metrics/redact.ts';
import type { HttpClient, HttpOutcome } from './http.ts';

/**
 * Signature algorithms an ID token may use: asymmetric only. `none` would accept any token and an
 * HS* token is keyed with the client secret, which a public client does not have (and a forger
 * could choose): neither is ever allowed.
 */
export const ASYMMETRIC_ALGS: readonly string[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'ES256K', 'EdDSA', 'Ed25519',
];

/**
 * The ID-token algorithms to accept: what discovery advertises in
 * `id_token_signing_alg_values_supported`, intersected with {@link ASYMMETRIC_ALGS}; RS256 (the
 * OpenID Connect default) when the IdP advertises nothing.
 *
 * @example
 * idTokenAlgs(['RS256', 'HS256', 'none']); // ['RS256']
 */
export function idTokenAlgs(advertised: unknown): string[] {
  if (!Array.isArray(advertised)) return ['RS256'];
  return advertised.filter((a): a is string => typeof a === 'string' && ASYMMETRIC_ALGS.includes(a));
}

/** Everything a flow needs to know about the IdP and the client. */
export interface FlowTarget {
  issuer: string;
  authorizationEndpoint: URL;
  tokenEndpoint: URL;
  /** RFC 9126 pushed authorization request endpoint, when the IdP advertises one. */
  parEndpoint: URL | null;
  clientId: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
  /** RFC 9207: the IdP promises `iss` on every authorization response. */
  issParameterSupported: boolean;
  codeChallengeMethods: string[];
  /** Key set for ID-token signatures (jose's local set: keys are imported once and cached). */
  jwks: JWTVerifyGetKey;
  /** ID-token signature algorithms accepted (see {@link idTokenAlgs}); empty = every ID token is rejected. */
  idTokenAlgs: string[];
}

/** Client settings that discovery does not tell. */
export interface ClientSettings {
  clientId: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

interface DiscoveryDocument {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  pushed_authorization_request_endpoint?: unknown;
  jwks_uri?: unknown;
  code_challenge_methods_supported?: unknown;
  authorization_response_iss_parameter_supported?: unknown;
  id_token_signing_alg_values_supported?: unknown;
}

function field(doc: DiscoveryDocument, name: keyof DiscoveryDocument, issuer: string): string {
  const v = doc[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${issuer} has no ${name}`, {
      hint: 'is --issuer an OpenID Connect issuer?',
    });
  }
  return v;
}

/** An endpoint from discovery: a valid URL (else exit 3) on loopback (else exit 2: load stays on this machine). */
function endpoint(doc: DiscoveryDocument, name: keyof DiscoveryDocument, issuer: string): URL {
  const v = field(doc, name, issuer);
  if (!URL.canParse(v)) throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${issuer}: ${name} is not a URL`);
  const problem = loopbackProblem(v);
  if (problem) throw new TokenstormError('ERR_NOT_LOOPBACK', `discovery at ${issuer}: ${name} ${stripControl(problem)}`);
  return new URL(v);
}

/**
 * Reads `/.well-known/openid-configuration` and the JWKS. Unreachable or malformed → ERR_TARGET_UNREACHABLE (exit 3).
 *
 * @example
 * const target = await discover(http, 'http://127.0.0.1:4000', settings);
 */
export async function discover(http: HttpClient, issuerArg: string, client: ClientSettings, signal?: AbortSignal): Promise<FlowTarget> {
  // Printed in messages: never with credentials or terminal controls.
  const issuer = printableUrl(issuerArg);
  const base = issuerArg.replace(/\/$/, '');
  const url = new URL(`${base}/.well-known/openid-configuration`);
  const get = (u: URL): Promise<HttpOutcome> =>
    // The client's deadline and body cap hold for start-up requests too; the signal ends them at Ctrl-C.
    http.send('discovery', { method: 'GET', url: u, headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  const out = await get(url);
  if (signal?.aborted) throw new TokenstormError('ERR_INTERRUPTED', 'interrupted during discovery');
  if (!out.ok) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `cannot reach issuer ${issuer}: ${out.failure.socketCode} (${stripControl(out.failure.message)})`, {
      hint: 'check --issuer and that the IdP is running',
    });
  }
  if (out.res.status !== 200) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${printableUrl(url.href)} answered HTTP ${out.res.status}`, {
      hint: 'check --issuer',
    });
  }
  let doc: DiscoveryDocument;
  try {
    doc = JSON.parse(out.res.body) as DiscoveryDocument;
  } catch {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${printableUrl(url.href)} is not JSON`);
  }
  const jwksUri = endpoint(doc, 'jwks_uri', issuer);
  const advertised = field(doc, 'issuer', issuer);
  if (advertised.replace(/\/$/, '') !== base) {
    // Every ID token and RFC 9207 iss would then mismatch: say so once, not in every flow.
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${issuer} names a different issuer: ${printableUrl(advertised)}`, {
      hint: 'pass the issuer exactly as the IdP advertises it',
    });
  }
  const jwksOut = await get(jwksUri);
  if (signal?.aborted) throw new TokenstormError('ERR_INTERRUPTED', 'interrupted during discovery');
  if (!jwksOut.ok || jwksOut.res.status !== 200) {
    const why = jwksOut.ok ? `HTTP ${jwksOut.res.status}` : `${jwksOut.failure.socketCode} (${stripControl(jwksOut.failure.message)})`;
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `cannot read the key set at ${printableUrl(jwksUri.href)}: ${why}`);
  }
  let keySet: JWTVerifyGetKey;
  try {
    keySet = createLocalJWKSet(JSON.parse(jwksOut.res.body) as JSONWebKeySet);
  } catch {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `key set at ${printableUrl(jwksUri.href)} is not a JSON Web Key Set`);
  }
  const methods = Array.isArray(doc.code_challenge_methods_supported)
    ? doc.code_challenge_methods_supported.filter((m): m is string => typeof m === 'string')
    : [];
  return {
    issuer: advertised,
    authorizationEndpoint: endpoint(doc, 'authorization_endpoint', issuer),
    tokenEndpoint: endpoint(doc, 'token_endpoint', issuer),
    parEndpoint: doc.pushed_authorization_request_endpoint === undefined ? null : endpoint(doc, 'pushed_authorization_request_endpoint', issuer),
    ...client,
    issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
    codeChallengeMethods: methods,
    jwks: keySet,
    idTokenAlgs: idTokenAlgs(doc.id_token_signing_alg_values_supported),
  };
}
