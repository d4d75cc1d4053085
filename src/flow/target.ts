/**
 * The target as the flow driver sees it: endpoints from discovery, the client, the login user and
 * the ID-token key set.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { TokenstormError } from '../errors.ts';
import type { HttpClient } from './http.ts';

/** Everything a flow needs to know about the IdP and the client. */
export interface FlowTarget {
  issuer: string;
  authorizationEndpoint: URL;
  tokenEndpoint: URL;
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
  const jwksUri = new URL(field(doc, 'jwks_uri', issuer));
  const jwksOut = await http.send('discovery', { method: 'GET', url: jwksUri, headers: { accept: 'application/json' } });
  if (!jwksOut.ok || jwksOut.res.status !== 200) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `cannot read the key set at ${jwksUri.href}`);
  }
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(jwksOut.res.body) as JSONWebKeySet;
  } catch {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `key set at ${jwksUri.href} is not JSON`);
  }
  const methods = Array.isArray(doc.code_challenge_methods_supported)
    ? doc.code_challenge_methods_supported.filter((m): m is string => typeof m === 'string')
    : [];
  return {
    issuer: field(doc, 'issuer', issuer),
    authorizationEndpoint: new URL(field(doc, 'authorization_endpoint', issuer)),
    tokenEndpoint: new URL(field(doc, 'token_endpoint', issuer)),
    ...client,
    issParameterSupported: doc.authorization_response_iss_parameter_supported === true,
    codeChallengeMethods: methods,
    jwks: createLocalJWKSet(jwks),
  };
}
