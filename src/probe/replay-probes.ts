/**
 * Probes of single use (PKCE.md P8–P10) and refresh-token rotation: what an attacker holding an
 * intercepted code or refresh token can do after the legitimate client used it.
 */
import { generatePair } from '../pkce/challenge.ts';
import type { ObtainedCode } from '../flow/pkce-flow.ts';
import type { FlowTarget } from '../flow/target.ts';
import type { ProbeEvidence } from '../report/schema.ts';
import { authorizeNormally, noCode } from './judge.ts';
import { redeemStep, refreshStep } from './steps.ts';
import type { Probe, ProbeContext, ProbeVerdict } from './types.ts';

const NO_REFRESH = 'revocation not checked: the IdP issued no refresh token';

/** A code redeemed once by the legitimate client, or why there is none. */
type FirstRedemption =
  | { ok: false; verdict: ProbeVerdict }
  | { ok: true; got: ObtainedCode; target: FlowTarget; evidence: ProbeEvidence[]; refreshToken: string | undefined };

/** Redeems a fresh code once (the legitimate client) and returns what the replays need. */
async function firstRedemption(pc: ProbeContext): Promise<FirstRedemption> {
  const target = pc.offlineTarget ?? pc.flow.target;
  const a = await authorizeNormally(pc, target);
  if (!a.got) return { ok: false, verdict: noCode(a) };
  const t1 = await redeemStep(pc, 'token request (the legitimate client)', a.got, { target });
  if (!t1.issued) return { ok: false, verdict: { status: 'inconclusive', reason: 'the first, correct redemption failed', evidence: [a.evidence, t1.evidence] } };
  return { ok: true, got: a.got, target, evidence: [a.evidence, t1.evidence], refreshToken: t1.refreshToken };
}

/** P8: the same code redeemed again with the right verifier. */
export const sequentialReplayProbe: Probe = {
  id: 'P8',
  title: 'sequential replay of a used code',
  severity: 'critical',
  expected: '400 invalid_grant, and the tokens of the first redemption revoked (RFC 6749 §4.1.2)',
  async run(pc) {
    const first = await firstRedemption(pc);
    if (!first.ok) return first.verdict;
    const t2 = await redeemStep(pc, 'the same token request again (replay)', first.got, { target: first.target });
    const evidence: ProbeEvidence[] = [...first.evidence, t2.evidence];
    if (t2.issued) return { status: 'finding', observed: 'a used code was redeemed a second time', evidence };
    if (t2.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer the replay', evidence };
    if (!first.refreshToken) return { status: 'pass', evidence: [...evidence, { step: 'revocation check', description: NO_REFRESH }] };
    const r = await refreshStep(pc, 'refresh with the first redemption’s refresh token', first.refreshToken, first.target);
    evidence.push(r.evidence);
    if (r.issued) {
      return { status: 'finding', severity: 'medium', observed: 'the replay was refused, but the tokens of the first redemption were not revoked', evidence };
    }
    return { status: 'pass', evidence };
  },
};

/** P9: N concurrent redemptions of one code; exactly one may succeed. */
export const parallelReplayProbe: Probe = {
  id: 'P9',
  title: 'parallel redemptions of one code',
  severity: 'critical',
  expected: 'exactly one 200, every other request invalid_grant',
  async run(pc) {
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    const got = a.got;
    const n = pc.parallelRedemptions;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => redeemStep(pc, `concurrent token request ${i + 1} of ${n}`, got)));
    const issued = results.filter((r) => r.issued).length;
    const evidence = [a.evidence, ...results.map((r) => r.evidence)];
    if (issued > 1) return { status: 'finding', observed: `${issued} of ${n} concurrent redemptions of one code got tokens`, evidence };
    if (issued === 0) return { status: 'inconclusive', reason: `none of ${n} concurrent redemptions succeeded`, evidence };
    return { status: 'pass', evidence };
  },
};

/** P10: after a successful redemption, a replay with a wrong verifier (an attacker without it). */
export const wrongVerifierReplayProbe: Probe = {
  id: 'P10',
  title: 'replay with a wrong verifier after success',
  severity: 'medium',
  expected: '400 invalid_grant without revoking the legitimate tokens (OAuth 2.1 §7.5.2: no DoS by replay)',
  async run(pc) {
    const first = await firstRedemption(pc);
    if (!first.ok) return first.verdict;
    const t2 = await redeemStep(pc, 'replay with a wrong code_verifier', first.got, { target: first.target, overrideVerifier: generatePair().verifier });
    const evidence: ProbeEvidence[] = [...first.evidence, t2.evidence];
    if (t2.issued) return { status: 'finding', severity: 'critical', observed: 'a used code was redeemed again with a wrong verifier', evidence };
    if (t2.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer the replay', evidence };
    if (!first.refreshToken) return { status: 'pass', evidence: [...evidence, { step: 'revocation check', description: NO_REFRESH }] };
    const r = await refreshStep(pc, 'refresh with the legitimate refresh token', first.refreshToken, first.target);
    evidence.push(r.evidence);
    if (!r.issued && r.status !== null) {
      return { status: 'finding', observed: 'a replay with a wrong verifier revoked the legitimate client’s tokens (denial of service)', evidence };
    }
    return { status: 'pass', evidence };
  },
};

/** A rotated refresh token used again (RFC 9700 §4.14.2: refresh token replay detection). */
export const refreshReuseProbe: Probe = {
  id: 'refresh-reuse',
  title: 'refresh token accepted again after rotation',
  severity: 'high',
  expected: '400 invalid_grant for the old refresh token (and the family revoked)',
  async run(pc) {
    if (!pc.offlineTarget) return { status: 'skipped', reason: 'not applicable: refresh tokens are not requested from this target', evidence: [] };
    const first = await firstRedemption(pc);
    if (!first.ok) return first.verdict;
    if (!first.refreshToken) return { status: 'skipped', reason: 'not applicable: the IdP issued no refresh token', evidence: first.evidence };
    const r1 = await refreshStep(pc, 'refresh (the legitimate client)', first.refreshToken, first.target);
    const evidence = [...first.evidence, r1.evidence];
    if (!r1.issued) return { status: 'inconclusive', reason: 'the first refresh failed', evidence };
    if (!r1.refreshToken || r1.refreshToken === first.refreshToken) {
      return { status: 'skipped', reason: 'not applicable: the IdP does not rotate refresh tokens', evidence };
    }
    const r2 = await refreshStep(pc, 'refresh again with the rotated-out refresh token', first.refreshToken, first.target);
    evidence.push(r2.evidence);
    if (r2.issued) return { status: 'finding', observed: 'a refresh token was accepted again after it had been rotated', evidence };
    if (r2.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence };
    return { status: 'pass', evidence };
  },
};
