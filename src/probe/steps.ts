/**
 * The building blocks probes are made of: one authorization request, one code redemption, one
 * refresh. Each runs through the normal flow machinery (login driver, obtainCode, exchangeCode)
 * with a {@link StepRecorder}, and returns what the IdP answered as redacted evidence.
 */
import { classifyOAuthError, oauthEvidence, parseOAuthErrorBody } from '../flow/classify.ts';
import { type AuthorizeOptions, type ExchangeOptions, exchangeCode, type ObtainedCode, obtainCode } from '../flow/pkce-flow.ts';
import type { ClientAuth } from '../flow/client-auth.ts';
import { FlowSession } from '../flow/session.ts';
import { sendTokenRequest } from '../flow/token-request.ts';
import type { FlowTarget } from '../flow/target.ts';
import type { FailureEvidence, ProbeEvidence } from '../report/schema.ts';
import { StepRecorder } from './step-recorder.ts';
import type { ProbeContext } from './types.ts';

/** The outcome of one authorization request. */
export interface AuthorizeStep {
  /** The code, when the IdP issued one. */
  got: ObtainedCode | null;
  /** The authorization response URL (success or error redirect); null when there was none. */
  callback: URL | null;
  evidence: ProbeEvidence;
  /** True when the IdP answered at all (a redirect or an error page), false for transport failures. */
  answered: boolean;
}

/** The outcome of one token request. */
export interface TokenStep {
  /** HTTP status; null when the request failed at the transport level. */
  status: number | null;
  /** 200 with tokens (even when the ID token then failed a client-side check). */
  issued: boolean;
  evidence: ProbeEvidence;
  refreshToken?: string;
}

function fromFailure(step: string, f: FailureEvidence | undefined, fallback: string): ProbeEvidence {
  if (!f) return { step, description: fallback };
  const ev: ProbeEvidence = { step, failureClass: f.failureClass };
  if (f.status !== undefined) ev.status = f.status;
  if (f.error !== undefined) ev.error = f.error;
  const description = f.socketCode ? `${f.socketCode} ${f.description ?? ''}`.trim() : f.description;
  if (description !== undefined) ev.description = description;
  return ev;
}

/**
 * One authorization request (authorize → login → authorization response) with PKCE overrides.
 *
 * @example
 * const a = await authorizeStep(pc, 'authorization request without code_challenge', { overrideChallenge: null, overrideChallengeMethod: null });
 * if (a.got) { ... the IdP issued a code ... }
 */
export async function authorizeStep(
  pc: ProbeContext,
  step: string,
  opts: AuthorizeOptions & { target?: FlowTarget } = {},
): Promise<AuthorizeStep> {
  const recorder = new StepRecorder(pc.flow.recorder);
  const ctx = { ...pc.flow, recorder, target: opts.target ?? pc.flow.target };
  let callback: URL | null = null;
  const got = await obtainCode(ctx, new FlowSession(ctx.http, recorder, ctx.onSecret), {
    ...opts,
    onAuthorizationResponse: (url) => {
      callback = url;
      opts.onAuthorizationResponse?.(url);
    },
  });
  const failure = recorder.failures[0];
  const answered = callback !== null || (failure !== undefined && failure.socketCode === undefined);
  if (got) return { got, callback, answered, evidence: { step, status: 303, description: 'authorization code issued' } };
  return { got: null, callback, answered, evidence: fromFailure(step, failure, 'no authorization code') };
}

/**
 * One token request for an obtained code, with the exchange overrides.
 *
 * @example
 * const t = await redeemStep(pc, 'token request with a wrong code_verifier', got, { overrideVerifier: otherVerifier });
 * if (t.issued) { ... finding ... }
 */
export async function redeemStep(
  pc: ProbeContext,
  step: string,
  got: ObtainedCode,
  opts: ExchangeOptions & { target?: FlowTarget; clientAuth?: ClientAuth } = {},
): Promise<TokenStep> {
  const recorder = new StepRecorder(pc.flow.recorder);
  const ctx = { ...pc.flow, recorder, target: opts.target ?? pc.flow.target, ...(opts.clientAuth ? { clientAuth: opts.clientAuth } : {}) };
  let refreshToken: string | undefined;
  const ok = await exchangeCode(ctx, new FlowSession(ctx.http, recorder, ctx.onSecret), got, {
    ...opts,
    onTokens: (t) => {
      refreshToken = t.refreshToken;
      opts.onTokens?.(t);
    },
  });
  if (ok) {
    return { status: 200, issued: true, evidence: { step, status: 200, description: 'tokens issued' }, ...(refreshToken ? { refreshToken } : {}) };
  }
  const f = recorder.failures.find((x) => x.endpoint === 'token');
  const status = f?.status ?? null;
  const evidence = fromFailure(step, f, 'no answer');
  // A 200 whose ID token then failed the client's own checks still means the IdP issued tokens.
  if (status === 200) return { status, issued: true, evidence: { ...evidence, description: `tokens issued (${evidence.description ?? ''})`.trim() } };
  return { status, issued: false, evidence };
}

/**
 * One refresh_token grant (public client). Used to see whether tokens were revoked and whether a
 * rotated refresh token still works.
 *
 * @example
 * const r = await refreshStep(pc, 'refresh with the first refresh token', refreshToken);
 */
export async function refreshStep(
  pc: ProbeContext,
  step: string,
  refreshToken: string,
  target: FlowTarget = pc.flow.target,
  opts: { withoutDpop?: boolean } = {},
): Promise<TokenStep> {
  const recorder = new StepRecorder(pc.flow.recorder);
  const session = new FlowSession(pc.flow.http, recorder, pc.flow.onSecret);
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
  const res = await sendTokenRequest({ ...pc.flow, recorder, target, ...(opts.withoutDpop ? { dpop: null } : {}) }, session, 'refresh', form);
  if (!res) return { status: null, issued: false, evidence: fromFailure(step, recorder.failures[0], 'no answer') };
  session.record('refresh', res, res.status === 200);
  if (res.status === 200) {
    let next: string | undefined;
    try {
      const body = JSON.parse(res.body) as { refresh_token?: unknown; access_token?: unknown };
      if (typeof body.access_token === 'string') pc.flow.onSecret?.(body.access_token);
      if (typeof body.refresh_token === 'string') {
        next = body.refresh_token;
        pc.flow.onSecret?.(next);
      }
    } catch {
      // A 200 that is not JSON still means the IdP did not refuse the grant.
    }
    return { status: 200, issued: true, evidence: { step, status: 200, description: 'tokens issued' }, ...(next ? { refreshToken: next } : {}) };
  }
  const parsed = parseOAuthErrorBody(res.body);
  const e = { status: res.status, ...(parsed ?? {}) };
  const ev = oauthEvidence('refresh', e, parsed ? classifyOAuthError(e) : 'bad_response');
  recorder.failure(ev);
  return { status: res.status, issued: false, evidence: fromFailure(step, recorder.failures[0], 'rejected') };
}

/** Evidence line for a verdict that rests on no request (discovery metadata). */
export function note(step: string, description: string): ProbeEvidence {
  return { step, description };
}
