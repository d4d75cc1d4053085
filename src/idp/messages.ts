/**
 * Typed IPC messages between the parent ({@link ./embedded-idp.ts}) and the IdP child
 * ({@link ./child.ts}). Nothing in here may carry a code, verifier, token or cookie value.
 */
import type { PrimeResult } from './prime.ts';

/** Settings the parent sends once, right after fork. */
export interface IdpChildConfig {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** `ttl.AuthorizationCode` in seconds. */
  codeTtlSec: number;
  /** Replace devInteractions with one auto-approving interaction step. */
  autoApprove: boolean;
  /** Credentials of the confidential clients, made by the parent (which hands them to the harness). */
  clientSecret: string;
  /** Public JWK of the private_key_jwt client. */
  jwtClientPublicJwk: Record<string, unknown>;
  /** Fault mode from the start (`{}` = correct behaviour). */
  mode: IdpMode;
  /** Plain flows the child runs against itself (correct behaviour, real clock) before it reports ready; 0 = none. */
  primeFlows: number;
}

/**
 * Fault modes the parent can switch at run time. All but rejectS256 are deliberate security holes
 * (src/idp/vulnerable-modes.ts) so the security probes can be shown to find them.
 */
export interface IdpMode {
  /** Authorization requests with `code_challenge_method=S256` get an `invalid_request` error redirect. */
  rejectS256?: boolean;
  /** DPoP proofs must carry a server nonce (RFC 9449 §8): the first proof gets `use_dpop_nonce`. */
  dpopNonce?: boolean;
  /** The token endpoint accepts any code_verifier (even malformed), as long as one is sent. */
  acceptAnyVerifier?: boolean;
  /** `code_challenge_method=plain` is accepted and advertised in discovery. */
  acceptPlain?: boolean;
  /** Codes and refresh tokens are never marked consumed: every replay is redeemed again, rotation is undone. */
  reusableCodes?: boolean;
  /** PKCE optional: no challenge required, a missing verifier accepted, a verifier without challenge ignored. */
  ignorePkce?: boolean;
  /** Authorization responses lack `iss` although discovery still promises it (RFC 9207). */
  omitIss?: boolean;
  /** Codes are redeemed after their lifetime. */
  ignoreCodeExpiry?: boolean;
  /** The token request's redirect_uri is not compared with the authorization request's. */
  ignoreRedirectUri?: boolean;
  /** A code (and its grant) is handed to whichever client redeems it. */
  ignoreClientBinding?: boolean;
}

/** Parent → child. Requests with an `id` get exactly one {@link ChildReply} with the same id. */
export type ParentMessage =
  | { type: 'init'; config: IdpChildConfig }
  | { type: 'set-clock-offset'; id: number; offsetMs: number }
  | { type: 'set-mode'; id: number; mode: IdpMode }
  | { type: 'cpu-usage'; id: number }
  | { type: 'stats'; id: number };

/** Memory of the IdP child and what its adapter holds. */
export interface IdpStats {
  /** Entries in the adapter (interactions, sessions, grants, codes, tokens). */
  adapterEntries: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** An oidc-provider error event, reduced to what a failure classifier needs. */
export interface ErrorDetailMessage {
  type: 'error-detail';
  /** `grant.error`, `authorization.error` or `server_error`. */
  event: string;
  /** OAuth error code, e.g. `invalid_grant`. */
  error: string;
  /** oidc-provider's `error_detail` (or the description when there is none), redacted. */
  detail: string;
  /** Wall-clock ms (real, unskewed) when the child saw the error. */
  at: number;
}

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready'; issuer: string; port: number; pid: number; primed: PrimeResult | null }
  | { type: 'start-error'; message: string }
  | { type: 'reply'; id: number; ok: true; result?: unknown }
  | { type: 'reply'; id: number; ok: false; message: string }
  | ErrorDetailMessage;
