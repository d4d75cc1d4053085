/**
 * Failure classification from evidence: HTTP status, OAuth `error`, `error_description`, the
 * embedded IdP's detail header, or a socket error code. Nothing is inferred from timing or from
 * what the harness "expected"; what cannot be matched is `other` with its evidence kept. The rules
 * themselves are data in classify-rules.ts, shared with exported k6 scripts.
 */
import type { EndpointClass, FailureClass, FailureEvidence } from '../report/schema.ts';
import { CLASSIFY_RULES, classifyUnexpectedStatus, classifyWithRules } from './classify-rules.ts';
import type { HttpFailure } from './http.ts';

/**
 * The response header through which the embedded IdP passes oidc-provider's `error_detail` (the
 * precise reason behind a generic `invalid_grant`). Never carries a secret.
 */
export { ERROR_DETAIL_HEADER as DETAIL_HEADER } from '../idp/error-details.ts';

/** An OAuth error as received: from a JSON body or an error redirect's query. */
export interface OAuthErrorEvidence {
  status?: number;
  error?: string;
  description?: string;
  /** Embedded IdP's precise reason, when present. */
  detail?: string;
}

// Keycloak says "Code not valid" when a code is not in its single-use store: redeemed before, or
// dropped at expiry. refineUnknownCode tells the two apart from what the harness knows.
const UNKNOWN_CODE = /^\s*code not valid\s*$/i;

/**
 * Classifies an OAuth error response from the token endpoint or an error redirect.
 *
 * @example
 * classifyOAuthError({ status: 400, error: 'invalid_grant', detail: 'authorization code is expired' }); // 'code_expired'
 */
export function classifyOAuthError(e: OAuthErrorEvidence): FailureClass {
  return classifyWithRules(CLASSIFY_RULES, e) as FailureClass;
}

/**
 * An IdP that answers the same words for a reused and an expired code (Keycloak's "Code not
 * valid") is told apart by what this harness did with the code: presented before → `code_reused`;
 * presented for the first time → the IdP no longer had it → `code_expired`, with the code's age in
 * the description so the reader can check it against the IdP's code lifespan.
 *
 * @example
 * refineUnknownCode({ error: 'invalid_grant', description: 'Code not valid' }, 'code_reused', 0, 61_000);
 * // { failureClass: 'code_expired', description: 'Code not valid (first presentation of this code, issued 61.0s before)' }
 */
export function refineUnknownCode(
  e: OAuthErrorEvidence,
  failureClass: FailureClass,
  presentedBefore: number,
  ageMs: number,
): { failureClass: FailureClass; description: string | undefined } {
  if (e.error !== 'invalid_grant' || !UNKNOWN_CODE.test(e.description ?? '') || presentedBefore > 0) {
    return { failureClass, description: e.description };
  }
  return { failureClass: 'code_expired', description: `${e.description?.trim()} (first presentation of this code, issued ${(ageMs / 1000).toFixed(1)}s before)` };
}

/** Builds recorder evidence for an OAuth error (description cut to 200 chars). */
export function oauthEvidence(endpoint: EndpointClass, e: OAuthErrorEvidence, failureClass = classifyOAuthError(e)): FailureEvidence {
  const ev: FailureEvidence = { failureClass, endpoint };
  if (e.status !== undefined) ev.status = e.status;
  if (e.error !== undefined) ev.error = e.error;
  const description = e.detail ? `${e.description ?? ''} [${e.detail}]`.trim() : e.description;
  if (description !== undefined) ev.description = description.slice(0, 200);
  return ev;
}

/** Evidence for a transport failure. */
export function transportEvidence(endpoint: EndpointClass, f: HttpFailure): FailureEvidence {
  return { failureClass: f.failureClass, endpoint, socketCode: f.socketCode, description: f.message.slice(0, 200) };
}

/** Evidence for an unexpected HTTP response (status not what the protocol step allows). */
export function statusEvidence(endpoint: EndpointClass, status: number, failureClass: FailureClass, description?: string): FailureEvidence {
  const cls = classifyUnexpectedStatus(CLASSIFY_RULES, status, failureClass) as FailureClass;
  const ev: FailureEvidence = { failureClass: cls, endpoint, status };
  if (description !== undefined) ev.description = description.slice(0, 200);
  return ev;
}

/** Parses `{error, error_description}` from a JSON body; undefined when the body is not such JSON. */
export function parseOAuthErrorBody(body: string): { error?: string; description?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string') {
      const o = parsed as { error: string; error_description?: unknown };
      return { error: o.error, ...(typeof o.error_description === 'string' ? { description: o.error_description } : {}) };
    }
  } catch {
    // not JSON: the caller records bad_response with the status
  }
  return undefined;
}
