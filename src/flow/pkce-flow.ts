/**
 * One authorization-code + PKCE flow: authorize (S256 challenge from the pool) → login driver →
 * callback checks (state, RFC 9207 iss, code) → token exchange → ID-token checks. Every step is
 * timed and every failure classified; secrets stay in local variables and are never recorded.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { jwtVerify } from 'jose/jwt/verify';
import type { Recorder } from '../metrics/recorder.ts';
import type { FailureClass } from '../report/schema.ts';
import { classifyOAuthError, oauthEvidence, refineUnknownCode, statusEvidence } from './classify.ts';
import { formValue, type HttpClient } from './http.ts';
import type { ClientAuth, DpopSigner } from './client-auth.ts';
import type { LoginDriver } from './login-driver.ts';
import { pushAuthorizationRequest } from './par.ts';
import { readTokenResponse, sendTokenRequest } from './token-request.ts';
import { FlowSession } from './session.ts';
import type { FlowTarget } from './target.ts';

/** What a flow needs; one per run, shared by all flows. */
export interface FlowContext {
  http: HttpClient;
  recorder: Recorder;
  /** Verifier/challenge source (the pool); take() never blocks. */
  pkce: { take(): { verifier: string; challenge: string } };
  target: FlowTarget;
  login: LoginDriver;
  /** Token-endpoint client authentication; default: a public client (`client_id` only). */
  clientAuth?: ClientAuth;
  /** DPoP proofs on every token-endpoint request (RFC 9449); null/absent: none. */
  dpop?: DpopSigner | null;
  /** Push the authorization request first (RFC 9126 PAR) and send only its request_uri to /auth. */
  par?: boolean;
  /** Harness-side clock offset for ID-token time checks (simulates a skewed client clock), ms. */
  clockSkewMs: () => number;
  /** Allowed difference between the IdP's and the harness's clocks for iat/exp, s. */
  idTokenToleranceSec: number;
  /** Observer called once per ended flow. */
  onFlow?: FlowObserver;
  /** Test hook: receives every secret the flow handles so tests can scan outputs for them. */
  onSecret?: (value: string) => void;
}

/** One ended flow, times in performance.now() ms. */
export interface FlowRecord {
  intendedAt: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
}

/** Receives every ended flow (tests, custom exporters). */
export type FlowObserver = (flow: FlowRecord) => void;

/** A code obtained from the authorization response, with what redeeming it needs. */
export interface ObtainedCode {
  code: string;
  verifier: string;
  nonce: string;
  /** performance.now() when the code arrived. */
  obtainedAt: number;
  /** Token requests that carried this code so far (reuse vs expiry when the IdP says only "not valid"). */
  presented?: number;
}


// Per target, the parts of the requests that never change, form-encoded once (the target is fixed for a run).
interface StaticParts {
  /** What the parts were built from (a target changed in place gets new parts). */
  key: string;
  /** Authorization endpoint with response_type, client_id, redirect_uri and scope, ending in `&`. */
  authorizePrefix: string;
  /** `&redirect_uri=…` of the token request (the client's credentials follow from its ClientAuth). */
  tokenSuffix: string;
}
const staticParts = new WeakMap<FlowTarget, StaticParts>();

function partsOf(target: FlowTarget): StaticParts {
  const key = `${target.authorizationEndpoint.href} ${target.clientId} ${target.redirectUri} ${target.scope}`;
  let p = staticParts.get(target);
  if (!p || p.key !== key) {
    const base = new URL(target.authorizationEndpoint.href);
    const q = base.searchParams;
    q.set('response_type', 'code');
    q.set('client_id', target.clientId);
    q.set('redirect_uri', target.redirectUri);
    q.set('scope', target.scope);
    const tokenTail = new URLSearchParams({ redirect_uri: target.redirectUri });
    p = { key, authorizePrefix: `${base.href}&`, tokenSuffix: `&${tokenTail.toString()}` };
    staticParts.set(target, p);
  }
  return p;
}

/** Builds the authorization request URL for a fresh state, nonce and S256 challenge (one URL parse). */
function authorizeUrl(target: FlowTarget, challenge: string, state: string, nonce: string): URL {
  return new URL(
    `${partsOf(target).authorizePrefix}state=${formValue(state)}&nonce=${formValue(nonce)}&code_challenge=${formValue(challenge)}&code_challenge_method=S256`,
  );
}

/** Options for {@link obtainCode}; the `override*` fields exist for negative tests and probes. */
export interface AuthorizeOptions {
  /** Use this verifier/challenge instead of one from the pool. */
  overridePair?: { verifier: string; challenge: string };
  /** `code_challenge` to send instead of the pair's; null sends none. */
  overrideChallenge?: string | null;
  /** `code_challenge_method` to send instead of S256; null sends none. */
  overrideChallengeMethod?: string | null;
  /** Sees the authorization response (success or error redirect) before it is checked. */
  onAuthorizationResponse?: (callbackUrl: URL) => void;
}

/** The general (slower) authorize URL for overridden PKCE parameters. */
function overriddenAuthorizeUrl(target: FlowTarget, challenge: string | null, method: string | null, state: string, nonce: string): URL {
  const url = new URL(partsOf(target).authorizePrefix.slice(0, -1));
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (challenge !== null) url.searchParams.set('code_challenge', challenge);
  if (method !== null) url.searchParams.set('code_challenge_method', method);
  return url;
}

/**
 * Runs authorize → login → callback and returns the code, or null when the flow failed (the
 * failure is already recorded).
 */
export async function obtainCode(ctx: FlowContext, session: FlowSession, opts: AuthorizeOptions = {}): Promise<ObtainedCode | null> {
  const pair = opts.overridePair ?? ctx.pkce.take();
  const state = randomUUID();
  const nonce = randomUUID();
  session.secret(pair.verifier);
  session.scrub(ctx.target.password);
  const overridden = opts.overrideChallenge !== undefined || opts.overrideChallengeMethod !== undefined;
  let url: URL | null = overridden
    ? overriddenAuthorizeUrl(
        ctx.target,
        opts.overrideChallenge === undefined ? pair.challenge : opts.overrideChallenge,
        opts.overrideChallengeMethod === undefined ? 'S256' : opts.overrideChallengeMethod,
        state,
        nonce,
      )
    : authorizeUrl(ctx.target, pair.challenge, state, nonce);
  if (ctx.par) url = await pushAuthorizationRequest(ctx, session, url);
  if (!url) return null;
  const login = await ctx.login.run(session, ctx.target, url);
  if (!login) return null;
  opts.onAuthorizationResponse?.(login.callbackUrl);
  const q = login.callbackUrl.searchParams;
  const endpoint = login.endpoint;
  const iss = q.get('iss');
  // A code is a secret from the moment it arrives, even beside an error (a hostile IdP may echo it
  // into the error fields): registered before anything from this response is recorded.
  const code = q.get('code');
  if (code) session.secret(code);
  const fail = (cls: FailureClass, description: string): null => {
    session.recordFailure(statusEvidence(endpoint, 0, cls, description));
    return null;
  };
  // RFC 9207: a client MUST compare iss when present, and expect it when the IdP promises it.
  if (iss !== null && iss !== ctx.target.issuer) return fail('bad_response', 'authorization response iss does not match the issuer');
  if (iss === null && ctx.target.issParameterSupported) return fail('bad_response', 'authorization response lacks iss');
  if (q.get('state') !== state) return fail('state_mismatch', 'authorization response state differs from the request');
  const error = q.get('error');
  if (error !== null) {
    const e = { error, description: q.get('error_description') ?? undefined };
    session.recordFailure(oauthEvidence(endpoint, e, classifyOAuthError(e)));
    return null;
  }
  if (!code) return fail('callback_missing_code', 'authorization response has neither code nor error');
  return { code, verifier: pair.verifier, nonce, obtainedAt: performance.now() };
}

/** Options for {@link exchangeCode}; the `override*` fields exist for negative tests and probes. */
export interface ExchangeOptions {
  /** performance.now() the exchange was scheduled for (token mode); default: now. */
  intendedAt?: number;
  overrideVerifier?: string | null;
  /** redirect_uri to send instead of the target's; null sends none. */
  overrideRedirectUri?: string | null;
  /** Receives the tokens of a successful exchange (probes: refresh rotation, revocation checks). */
  onTokens?: (tokens: { accessToken: string; refreshToken?: string }) => void;
}

/**
 * Exchanges a code at the token endpoint and checks the ID token. Returns true on success; on
 * failure the class is recorded.
 */
export async function exchangeCode(ctx: FlowContext, session: FlowSession, got: ObtainedCode, opts: ExchangeOptions = {}): Promise<boolean> {
  const verifier = opts.overrideVerifier === undefined ? got.verifier : opts.overrideVerifier;
  // Token mode redeems on a session other than the one that obtained the code: it scrubs them too.
  session.scrub(got.code);
  session.scrub(got.verifier);
  if (verifier) session.scrub(verifier);
  session.scrub(ctx.target.password);
  // The usual request is one string concatenation; overrides (negative tests) take the general path.
  const tail =
    opts.overrideRedirectUri === undefined
      ? partsOf(ctx.target).tokenSuffix
      : opts.overrideRedirectUri === null
        ? ''
        : `&${new URLSearchParams({ redirect_uri: opts.overrideRedirectUri }).toString()}`;
  const presentedBefore = got.presented ?? 0;
  got.presented = presentedBefore + 1;
  const form = `grant_type=authorization_code&code=${formValue(got.code)}${tail}${verifier === null ? '' : `&code_verifier=${formValue(verifier)}`}`;
  const res = await sendTokenRequest(ctx, session, 'token', form);
  if (!res) return false;
  const latencyUs = opts.intendedAt === undefined ? res.serviceUs : (performance.now() - opts.intendedAt) * 1000;
  const record = (ok: boolean): void => ctx.recorder.exchange('token', res.serviceUs, Math.max(latencyUs, res.serviceUs), ok);
  // An IdP that says only "code not valid" (Keycloak) for a code this harness never presented before
  // means an expired code, not a reused one.
  const tokens = readTokenResponse(session, 'token', res, (e, cls) => refineUnknownCode(e, cls, presentedBefore, performance.now() - got.obtainedAt));
  if (!tokens) {
    record(false);
    return false;
  }
  const problem =
    tokens.idToken !== undefined
      ? await checkIdToken(ctx, tokens.idToken, got.nonce)
      : wantsIdToken(ctx.target.scope)
        ? { failureClass: 'id_token_invalid' as const, description: 'token response has no id_token although the scope has openid' }
        : null;
  if (problem) {
    record(false);
    session.recordFailure(statusEvidence('token', 200, problem.failureClass, problem.description));
    return false;
  }
  record(true);
  opts.onTokens?.({ accessToken: tokens.accessToken, ...(tokens.refreshToken !== undefined ? { refreshToken: tokens.refreshToken } : {}) });
  return true;
}

/** OpenID Connect: a token response to a request with the `openid` scope carries an ID token. */
function wantsIdToken(scope: string): boolean {
  return scope.split(/\s+/).includes('openid');
}

/**
 * Checks every ID token: signature against the IdP's key set with an algorithm from the target's
 * allow-list (asymmetric only, never `none`), then iss, aud, nonce, and iat/exp against the
 * harness clock. A bad token is `id_token_invalid` with the reason; a time claim outside the
 * tolerance is `clock_skew`. Verifying costs one signature check (keys are imported once by jose's
 * local key set), cheap beside the four HTTP exchanges of the flow.
 */
async function checkIdToken(ctx: FlowContext, idToken: string, nonce: string): Promise<{ failureClass: FailureClass; description: string } | null> {
  const t = ctx.target;
  const nowSec = (Date.now() + ctx.clockSkewMs()) / 1000;
  const invalid = (reason: string): { failureClass: FailureClass; description: string } => ({
    failureClass: 'id_token_invalid',
    description: `id_token ${reason}`,
  });
  if (t.idTokenAlgs.length === 0) return invalid('rejected: the IdP advertises no asymmetric signing algorithm');
  let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    // currentDate pins jose's own time checks to the (possibly skewed) harness clock; the
    // explicit checks below decide the class.
    const verified = await jwtVerify(idToken, t.jwks, {
      algorithms: t.idTokenAlgs,
      currentDate: new Date(nowSec * 1000),
      clockTolerance: Number.MAX_SAFE_INTEGER,
    });
    claims = verified.payload;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return invalid(`rejected: ${typeof code === 'string' ? code : 'malformed'}${ALG_REASONS[typeof code === 'string' ? code : ''] ?? ''}`);
  }
  if (claims.iss !== t.issuer) return invalid('iss differs from the issuer');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(t.clientId)) return invalid('aud lacks the client id');
  if (claims.nonce !== nonce) return invalid('nonce differs from the request');
  const tol = ctx.idTokenToleranceSec;
  if (typeof claims.iat === 'number' && claims.iat > nowSec + tol) {
    return { failureClass: 'clock_skew', description: `id_token iat is ${Math.round(claims.iat - nowSec)}s in the future (tolerance ${tol}s)` };
  }
  if (typeof claims.exp === 'number' && claims.exp < nowSec - tol) {
    return { failureClass: 'clock_skew', description: `id_token expired ${Math.round(nowSec - claims.exp)}s ago (tolerance ${tol}s)` };
  }
  return null;
}

// jose's codes, said in words for the report.
const ALG_REASONS: Record<string, string> = {
  ERR_JOSE_ALG_NOT_ALLOWED: ' (signing algorithm not allowed: none, HS* or not advertised)',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: ' (signature does not verify)',
  ERR_JWKS_NO_MATCHING_KEY: ' (no key in the key set matches)',
  ERR_JWS_INVALID: ' (not a signed JWT)',
  ERR_JWT_INVALID: ' (not a JWT)',
};

/**
 * One whole flow. Records the `flow` endpoint: latency from `intendedAt` (coordinated-omission
 * corrected), service from the actual start.
 *
 * @example
 * const ok = await runFlow(ctx, performance.now());
 */
export async function runFlow(ctx: FlowContext, intendedAt: number): Promise<boolean> {
  const startedAt = performance.now();
  const session = new FlowSession(ctx.http, ctx.recorder, ctx.onSecret);
  const got = await obtainCode(ctx, session);
  const ok = got !== null && (await exchangeCode(ctx, session, got));
  const end = performance.now();
  ctx.recorder.flowEnded(ok, (end - intendedAt) * 1000, (end - startedAt) * 1000);
  ctx.onFlow?.({ intendedAt, startedAt, endedAt: end, ok });
  return ok;
}
