/**
 * Proof of possession (RFC 9449): a DPoP-bound token is useless to whoever steals it without the
 * client's private key. The probe redeems a code with proofs, then presents the refresh token it
 * got without one, as an attacker holding only the token would.
 */
import { authorizeNormally, noCode } from './judge.ts';
import { redeemStep, refreshStep } from './steps.ts';
import type { Probe } from './types.ts';

/** A DPoP-bound refresh token used without its proof. */
export const dpopUnboundRefreshProbe: Probe = {
  id: 'dpop-unbound',
  title: 'DPoP-bound refresh token used without its proof',
  severity: 'high',
  expected: '400 invalid_grant / invalid_dpop_proof (RFC 9449 §5: a public client’s refresh tokens are bound to its DPoP key)',
  async run(pc) {
    if (!pc.flow.dpop) return { status: 'skipped', reason: 'not applicable: the scenario uses no DPoP (target.client.dpop)', evidence: [] };
    const target = pc.offlineTarget ?? pc.flow.target;
    const a = await authorizeNormally(pc, target);
    if (!a.got) return noCode(a);
    const t = await redeemStep(pc, 'token request with a DPoP proof (the legitimate client)', a.got, { target });
    const evidence = [a.evidence, t.evidence];
    if (!t.issued) return { status: 'inconclusive', reason: 'the correct, proven redemption failed', evidence };
    if (!t.refreshToken) return { status: 'skipped', reason: 'not applicable: the IdP issued no refresh token', evidence };
    const r = await refreshStep(pc, 'refresh without a DPoP proof (a thief holding only the token)', t.refreshToken, target, { withoutDpop: true });
    evidence.push(r.evidence);
    if (r.issued) return { status: 'finding', observed: 'a DPoP-bound refresh token was redeemed without a proof of possession', evidence };
    if (r.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence };
    return { status: 'pass', evidence };
  },
};
