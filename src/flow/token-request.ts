/**
 * One request to the token endpoint with the client's authentication and, for DPoP clients, a
 * fresh proof; a `use_dpop_nonce` answer is retried once with the server's nonce (RFC 9449 §8),
 * and the nonce is kept for later requests. The retry's round trip is part of the step's time.
 */
import type { EndpointClass, FailureClass } from '../report/schema.ts';
import { classifyOAuthError, DETAIL_HEADER, type OAuthErrorEvidence, oauthEvidence, parseOAuthErrorBody, statusEvidence } from './classify.ts';
import { publicClient } from './client-auth.ts';
import { ACCEPT_JSON, headerValue, type HttpResponse } from './http.ts';
import type { FlowContext } from './pkce-flow.ts';
import type { FlowSession } from './session.ts';

// The latest DPoP nonce per token endpoint, kept once the server has shown it requires nonces (a
// use_dpop_nonce challenge): servers rotate them and any recent one is accepted. Servers that only
// offer nonces get none, so their proofs can be signed ahead of time.
const nonces = new Map<string, string>();

function isNonceChallenge(res: HttpResponse): boolean {
  return res.status === 400 && headerValue(res.headers, 'dpop-nonce') !== undefined && res.body.includes('use_dpop_nonce');
}

/**
 * Sends `form` (already encoded, without client credentials) to the token endpoint.
 *
 * @example
 * const res = await sendTokenRequest(ctx, session, 'refresh', `grant_type=refresh_token&refresh_token=${rt}`);
 */
export async function sendTokenRequest(ctx: FlowContext, session: FlowSession, endpoint: EndpointClass, form: string): Promise<HttpResponse | null> {
  const url = ctx.target.tokenEndpoint;
  const auth = ctx.clientAuth ?? publicClient(ctx.target.clientId);
  const attempt = async (nonce: string | undefined): Promise<HttpResponse | null> => {
    const creds = await auth.credentials(url);
    for (const s of creds.secrets ?? []) session.scrub(s);
    let headers = creds.headers ? { ...ACCEPT_JSON, ...creds.headers } : ACCEPT_JSON;
    if (ctx.dpop) headers = { ...headers, dpop: await ctx.dpop.proof('POST', url, nonce) };
    return session.send(endpoint, { method: 'POST', url, form: form + creds.form, headers });
  };
  if (!ctx.dpop) return attempt(undefined);
  const required = nonces.has(url.href);
  const first = await attempt(nonces.get(url.href));
  if (!first) return null;
  const offered = headerValue(first.headers, 'dpop-nonce');
  if (offered && required) nonces.set(url.href, offered);
  if (!offered || !isNonceChallenge(first)) return first;
  nonces.set(url.href, offered);
  const second = await attempt(offered);
  if (!second) return null;
  const next = headerValue(second.headers, 'dpop-nonce');
  if (next) nonces.set(url.href, next);
  return { ...second, serviceUs: second.serviceUs + first.serviceUs };
}

/** The tokens of a successful token response. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
}

/**
 * Judges a token-endpoint response: an OAuth error is classified from its evidence, a 200 must be
 * JSON with an access_token. Failures are recorded (the caller records the timed exchange).
 *
 * @example
 * const tokens = readTokenResponse(session, 'refresh', res); // null when it failed
 */
export function readTokenResponse(
  session: FlowSession,
  endpoint: EndpointClass,
  res: HttpResponse,
  refine?: (e: OAuthErrorEvidence, failureClass: FailureClass) => { failureClass: FailureClass; description: string | undefined },
): TokenSet | null {
  if (res.status !== 200) {
    const parsed = parseOAuthErrorBody(res.body);
    if (!parsed) {
      session.recordFailure(statusEvidence(endpoint, res.status, 'bad_response', `${endpoint} error response is not OAuth JSON`));
      return null;
    }
    const e: OAuthErrorEvidence = { status: res.status, ...parsed, detail: headerValue(res.headers, DETAIL_HEADER) };
    const refined = refine?.(e, classifyOAuthError(e));
    session.recordFailure(refined ? oauthEvidence(endpoint, { ...e, description: refined.description }, refined.failureClass) : oauthEvidence(endpoint, e));
    return null;
  }
  let body: { access_token?: unknown; id_token?: unknown; refresh_token?: unknown };
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    session.recordFailure(statusEvidence(endpoint, 200, 'bad_response', `${endpoint} response is not JSON`));
    return null;
  }
  if (body === null || typeof body !== 'object' || typeof body.access_token !== 'string') {
    session.recordFailure(statusEvidence(endpoint, 200, 'bad_response', `${endpoint} response has no access_token`));
    return null;
  }
  // Registered with the flow: scrubbed from anything it records, and reported to the test hook.
  const tokens: TokenSet = { accessToken: body.access_token };
  session.secret(body.access_token);
  if (typeof body.refresh_token === 'string') {
    tokens.refreshToken = body.refresh_token;
    session.secret(body.refresh_token);
  }
  if (typeof body.id_token === 'string') {
    tokens.idToken = body.id_token;
    session.secret(body.id_token);
  }
  return tokens;
}
