/**
 * What oidc-provider 9 says about a failed request, and how that maps to tokenstorm's failure
 * classes. Every token-endpoint failure answers `{"error":"invalid_grant","error_description":
 * "grant request is invalid"}`; the reason is only in the error's `error_detail`, which the IdP child
 * forwards (redacted) in the {@link ERROR_DETAIL_HEADER} response header and over IPC.
 *
 * Exact strings oidc-provider 9.13 produces on `POST /token` with `grant_type=authorization_code`,
 * in the order it checks them (confirmed by test/integration/idp/idp-errors.test.ts):
 *
 * | situation                                 | error             | detail                                              |
 * |-------------------------------------------|-------------------|-----------------------------------------------------|
 * | `code` / `redirect_uri` parameter missing | `invalid_request` | `missing required parameter 'redirect_uri'` (description; no detail) |
 * | verifier < 43 / > 128 chars, bad chars    | `invalid_request` | `code_verifier must be a string with a minimum length of 43 characters`, `… maximum length of 128 characters`, `code_verifier contains invalid characters` (description) |
 * | unknown code (or revoked after a replay)  | `invalid_grant`   | `authorization code not found`                      |
 * | code issued to another client             | `invalid_grant`   | `client mismatch`                                   |
 * | code past `ttl.AuthorizationCode`         | `invalid_grant`   | `authorization code is expired`                     |
 * | grant behind the code gone                | `invalid_grant`   | `grant not found` / `grant is expired`              |
 * | `code_verifier` missing                   | `invalid_grant`   | `code_verifier must be provided`                    |
 * | wrong `code_verifier`                     | `invalid_grant`   | `code_verifier does not match code_challenge`       |
 * | `redirect_uri` differs from /auth         | `invalid_grant`   | `authorization code redirect_uri mismatch`          |
 * | code already redeemed (grant revoked too) | `invalid_grant`   | `authorization code already consumed`               |
 *
 * Because the checks run in that order, a replay with a *wrong* verifier is reported as a PKCE
 * mismatch and does not revoke the first exchange's tokens (OAuth 2.1 §7.5.2), and after a replay
 * with the right verifier the code itself is revoked, so a third attempt says "not found".
 *
 * Authorization endpoint (error redirect, `authorization.error`; description, no detail):
 * `not supported value of code_challenge_method` (method other than S256, or the rejectS256 fault),
 * `Authorization Server policy requires PKCE to be used for this request` (no challenge),
 * `code_challenge must be provided with code_challenge_method`, `code_challenge_method must be provided`.
 */

/** Response header the IdP child adds to every error response it can explain. */
export const ERROR_DETAIL_HEADER = 'x-tokenstorm-error-detail';

/** The detail strings above, by name, for classifiers and tests. */
export const OIDC_PROVIDER_DETAILS = {
  pkceMismatch: 'code_verifier does not match code_challenge',
  pkceVerifierMissing: 'code_verifier must be provided',
  codeReused: 'authorization code already consumed',
  codeExpired: 'authorization code is expired',
  codeNotFound: 'authorization code not found',
  redirectUriMismatch: 'authorization code redirect_uri mismatch',
  clientMismatch: 'client mismatch',
  methodNotSupported: 'not supported value of code_challenge_method',
  pkceRequired: 'Authorization Server policy requires PKCE to be used for this request',
} as const;

export { redactDetail } from '../metrics/redact.ts';
