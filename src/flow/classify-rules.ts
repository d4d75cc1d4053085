/**
 * The failure-classification rule table as plain data, and the one function that applies it.
 *
 * This file is shared verbatim by two runtimes: Node (src/flow/classify.ts) and the k6 script that
 * `tokenstorm export k6` writes (the exporter copies this very file next to the script and esbuild
 * bundles it). So it imports nothing — no Node API, no types from elsewhere — and its rules are
 * strings and objects, so a test can compare the table inside a k6 bundle with the Node one.
 * Class ids are tokenstorm's failure classes (src/report/schema.ts FAILURE_CLASSES; a unit test
 * checks every id used here is one of them).
 */

/** One pattern rule: when `pattern` (a RegExp source, matched case-insensitively) matches, the class. */
export interface PatternRule {
  pattern: string;
  failureClass: string;
}

/** The whole table. */
export interface ClassifyRules {
  /** HTTP status that decides alone, before any OAuth error is read (429 → rate_limited). */
  statusFirst: Array<{ status: number; failureClass: string }>;
  /**
   * `invalid_grant` is generic; its class comes from error_detail / error_description. oidc-provider 9
   * details (lib/helpers/pkce.js, grant_source.js, actions/grants/authorization_code.js) first,
   * Keycloak's descriptions after them. No match → `grantFallback`.
   */
  grant: PatternRule[];
  grantFallback: string;
  /** `invalid_request` refined by its description; no match → `requestFallback`. */
  request: PatternRule[];
  requestFallback: string;
  /** Other OAuth `error` codes. `statusAtLeast500` overrides for server-side variants. */
  errors: Array<{ error: string; failureClass: string; failureClassIf5xx?: string }>;
  /** An unknown or absent `error`: ≥ 500 → server_error, else `other`. */
  unknown5xx: string;
  unknownFallback: string;
  /** An unexpected HTTP status at a protocol step: 429 and ≥ 500 win over the step's own class. */
  unexpectedStatus: { status429: string; status5xx: string };
}

/** The table. Edit here; both the Node classifier and exported k6 scripts follow. */
export const CLASSIFY_RULES: ClassifyRules = {
  statusFirst: [{ status: 429, failureClass: 'rate_limited' }],
  grant: [
    { pattern: 'code_verifier must be provided|missing.*code_verifier|code_verifier.*(missing|required)|code verifier not specified', failureClass: 'pkce_verifier_missing' },
    { pattern: 'unsupported code_challenge_method|code_challenge_method.*not (supported|allowed)', failureClass: 'pkce_method_rejected' },
    { pattern: 'code_verifier does not match|PKCE verification failed|pkce', failureClass: 'pkce_mismatch' },
    // oidc-provider: "refresh token already used" for a rotated refresh token presented again;
    // Keycloak: "Stale token" / "Maximum allowed refresh token reuse exceeded". Before code_reused.
    { pattern: 'refresh token.*(already|reuse|rotated|consumed)|stale token|token reuse', failureClass: 'refresh_token_reused' },
    { pattern: 'already consumed|already (been )?used|code (was )?reused', failureClass: 'code_reused' },
    { pattern: 'is expired|code expired', failureClass: 'code_expired' },
    { pattern: 'redirect_uri', failureClass: 'redirect_uri_mismatch' },
    { pattern: 'client mismatch', failureClass: 'invalid_client' },
    { pattern: 'DPoP proof', failureClass: 'dpop_proof_invalid' },
    // Keycloak: "Code not valid" = the code is not in its single-use store, because it was redeemed
    // before or because it expired (the store drops it at expiry); refineUnknownCode tells them apart.
    { pattern: '^\\s*code not valid\\s*$', failureClass: 'code_reused' },
  ],
  grantFallback: 'other',
  request: [
    { pattern: 'code_challenge_method|not supported.*S256|S256.*not supported', failureClass: 'pkce_method_rejected' },
    { pattern: 'missing required parameter.*code_verifier', failureClass: 'pkce_verifier_missing' },
    { pattern: 'redirect_uri', failureClass: 'redirect_uri_mismatch' },
    // Keycloak: invalid_request "DPoP proof is missing" for a DPoP-bound client without a proof.
    { pattern: 'DPoP proof', failureClass: 'dpop_proof_invalid' },
  ],
  requestFallback: 'invalid_request',
  errors: [
    { error: 'invalid_client', failureClass: 'invalid_client' },
    { error: 'unauthorized_client', failureClass: 'unauthorized_client' },
    { error: 'invalid_dpop_proof', failureClass: 'dpop_proof_invalid' },
    { error: 'use_dpop_nonce', failureClass: 'dpop_nonce_required' },
    { error: 'slow_down', failureClass: 'rate_limited', failureClassIf5xx: 'server_error' },
    { error: 'temporarily_unavailable', failureClass: 'rate_limited', failureClassIf5xx: 'server_error' },
    { error: 'server_error', failureClass: 'server_error' },
  ],
  unknown5xx: 'server_error',
  unknownFallback: 'other',
  unexpectedStatus: { status429: 'rate_limited', status5xx: 'server_error' },
};

/** Evidence of an OAuth error as received (JSON body or error redirect). */
export interface OAuthErrorInput {
  status?: number;
  error?: string;
  description?: string;
  /** The embedded IdP's precise reason (error_detail), when present. */
  detail?: string;
}

function firstMatch(rules: PatternRule[], text: string): string | undefined {
  for (const r of rules) if (new RegExp(r.pattern, 'i').test(text)) return r.failureClass;
  return undefined;
}

/**
 * Applies `rules` to an OAuth error. Pure; runs in Node and in k6.
 *
 * @example
 * classifyWithRules(CLASSIFY_RULES, { status: 400, error: 'invalid_grant', detail: 'authorization code is expired' }); // 'code_expired'
 */
export function classifyWithRules(rules: ClassifyRules, e: OAuthErrorInput): string {
  const status = e.status ?? 0;
  for (const s of rules.statusFirst) if (s.status === status) return s.failureClass;
  const text = `${e.detail ?? ''} ${e.description ?? ''}`;
  if (e.error === 'invalid_grant') return firstMatch(rules.grant, text) ?? rules.grantFallback;
  if (e.error === 'invalid_request') return firstMatch(rules.request, text) ?? rules.requestFallback;
  for (const r of rules.errors) {
    if (r.error === e.error) return status >= 500 && r.failureClassIf5xx !== undefined ? r.failureClassIf5xx : r.failureClass;
  }
  return status >= 500 ? rules.unknown5xx : rules.unknownFallback;
}

/**
 * The class of an unexpected HTTP status at a protocol step whose own class is `stepClass`.
 *
 * @example
 * classifyUnexpectedStatus(CLASSIFY_RULES, 503, 'login_failed'); // 'server_error'
 */
export function classifyUnexpectedStatus(rules: ClassifyRules, status: number, stepClass: string): string {
  if (status === 429) return rules.unexpectedStatus.status429;
  if (status >= 500) return rules.unexpectedStatus.status5xx;
  return stepClass;
}
