/**
 * Buggy-client flows for fault mixes (issue 10): a share of the load sends what broken clients
 * send, so a game day rehearses how the IdP answers and how its error signals look to the on-call.
 * Each flow records exactly like {@link runFlow} (the `flow` endpoint, failure classes from the
 * IdP's evidence), so its outcomes land in the phase of the fault window that mixed it in.
 *
 * Kinds: F1 wrong verifier, F2 missing verifier, F5 challenge in standard base64 with padding
 * (`Buffer.toString('base64')` instead of base64url), F8 `plain` method, retry-reuse (a client that
 * timed out and redeems the same code again: reuse that is not an attack).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type AuthorizeOptions, type ExchangeOptions, exchangeCode, type FlowContext, obtainCode } from './pkce-flow.ts';
import { FlowSession } from './session.ts';

/** The buggy clients, by the PKCE.md / issue ids. */
export const BUGGY_CLIENT_KINDS = ['F1', 'F2', 'F5', 'F8', 'retry-reuse'] as const;
export type BuggyClientKind = (typeof BUGGY_CLIENT_KINDS)[number];

/** What one buggy flow did (for M6: the method it sent, and whether the IdP issued a code for it). */
export interface BuggyFlowResult {
  kind: BuggyClientKind;
  /** The flow ended with tokens (from the client's view: a retry that failed is a failed flow). */
  ok: boolean;
  /** code_challenge_method sent. */
  challengeMethod: 'S256' | 'plain';
  codeIssued: boolean;
}

interface BuggyClient {
  method: 'S256' | 'plain';
  authorize(verifier: string): AuthorizeOptions;
  exchanges(verifier: string): ExchangeOptions[];
}

const standardBase64Padded = (verifier: string): string => createHash('sha256').update(verifier).digest('base64');

/** The registry: one entry per kind (what it changes at authorize, what it sends at the token endpoint). */
const CLIENTS: Record<BuggyClientKind, BuggyClient> = {
  F1: { method: 'S256', authorize: () => ({}), exchanges: () => [{ overrideVerifier: `${'x'.repeat(43)}` }] },
  F2: { method: 'S256', authorize: () => ({}), exchanges: () => [{ overrideVerifier: null }] },
  F5: { method: 'S256', authorize: (v) => ({ overrideChallenge: standardBase64Padded(v) }), exchanges: () => [{}] },
  F8: { method: 'plain', authorize: (v) => ({ overrideChallenge: v, overrideChallengeMethod: 'plain' }), exchanges: () => [{}] },
  'retry-reuse': { method: 'S256', authorize: () => ({}), exchanges: () => [{}, {}] },
};

/**
 * Runs one flow of a buggy client and records it like a normal flow (latency from `intendedAt`).
 *
 * @example
 * const r = await runBuggyFlow(ctx, 'F1', performance.now());
 * // r.ok === false against a correct IdP; ctx.recorder counted a pkce_mismatch
 */
export async function runBuggyFlow(ctx: FlowContext, kind: BuggyClientKind, intendedAt: number): Promise<BuggyFlowResult> {
  const client = CLIENTS[kind];
  const startedAt = performance.now();
  const session = new FlowSession(ctx.http, ctx.recorder, ctx.onSecret);
  const pair = ctx.pkce.take();
  const got = await obtainCode(ctx, session, { overridePair: pair, ...client.authorize(pair.verifier) });
  let ok = false;
  if (got) {
    for (const opts of client.exchanges(pair.verifier)) ok = await exchangeCode(ctx, session, got, opts);
  }
  const end = performance.now();
  ctx.recorder.flowEnded(ok, (end - intendedAt) * 1000, (end - startedAt) * 1000);
  ctx.onFlow?.({ intendedAt, startedAt, endedAt: end, ok });
  return { kind, ok, challengeMethod: client.method, codeIssued: got !== null };
}
