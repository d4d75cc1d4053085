/**
 * The target as the flow driver sees it: endpoints from discovery, the client, the login user and
 * the ID-token key set.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { loopbackProblem } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import type { HttpClient } from './http.ts';

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
  /** Key set for ID-token signatures. */
  jwks: JWTVerifyGetKey;
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
  if (problem) throw new TokenstormError('ERR_NOT_LOOPBACK', `discovery at ${issuer}: ${name} ${problem}`);
  return new URL(v);
}

/**
 * Reads `/.well-known/openid-configuration` and the JWKS. Unreachable or malformed → ERR_TARGET_UNREACHABLE (exit 3).
 *
 * @example
 * const target = await discover(http, 'http://127.0.0.1:4000', settings);
 */
export async function discover(http: HttpClient, issuer: string, client: ClientSettings): Promise<FlowTarget> {
  const base = issuer.replace(/\/$/, '');
  const url = new URL(`${base}/.well-known/openid-configuration`);
  const out = await http.send('discovery', { method: 'GET', url, headers: { accept: 'application/json' } });
  if (!out.ok) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `cannot reach issuer ${issuer}: ${out.failure.socketCode}`, {
      hint: 'check --issuer and that the IdP is running',
    });
  }
  if (out.res.status !== 200) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${url.href} answered HTTP ${out.res.status}`, {
      hint: 'check --issuer',
    });
  }
  let doc: DiscoveryDocument;
  try {
    doc = JSON.parse(out.res.body) as DiscoveryDocument;
  } catch {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${url.href} is not JSON`);
  }
  const jwksUri = endpoint(doc, 'jwks_uri', issuer);
  const advertised = field(doc, 'issuer', issuer);
  if (advertised.replace(/\/$/, '') !== base) {
    // Every ID token and RFC 9207 iss would then mismatch: say so once, not in every flow.
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `discovery at ${issuer} names a different issuer: ${advertised}`, {
      hint: 'pass the issuer exactly as the IdP advertises it',
    });
  }
  const jwksOut = await http.send('discovery', { method: 'GET', url: jwksUri, headers: { accept: 'application/json' } });
  if (!jwksOut.ok || jwksOut.res.status !== 200) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `cannot read the key set at ${jwksUri.href}`);
  }
  let keySet: JWTVerifyGetKey;
  try {
    keySet = createLocalJWKSet(JSON.parse(jwksOut.res.body) as JSONWebKeySet);
  } catch {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `key set at ${jwksUri.href} is not a JSON Web Key Set`);
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
  };
}
