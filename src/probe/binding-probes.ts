/**
 * Probes of what a code is bound to (PKCE.md P11–P13): its lifetime, its redirect_uri and its client.
 */
import { publicClient } from '../flow/client-auth.ts';
import { authorizeNormally, mustRefuse, noCode } from './judge.ts';
import { redeemStep } from './steps.ts';
import type { Probe } from './types.ts';

/** Waits beyond this are refused even with --slow: every probe is bounded in time. */
export const MAX_SLOW_WAIT_SEC = 900;
/** oidc-provider and others compare whole seconds: wait this much past the lifetime. */
const EXPIRY_MARGIN_SEC = 2;

/** P11: a code redeemed after its lifetime. */
export const expiredCodeProbe: Probe = {
  id: 'P11',
  title: 'code redeemed after its lifetime',
  severity: 'medium',
  expected: '400 invalid_grant (code expired)',
  async run(pc) {
    if (pc.codeTtlSec === null) {
      return { status: 'skipped', reason: "the IdP's code lifetime is unknown (set probes.codeTtlSec in the scenario)", evidence: [] };
    }
    const waitSec = pc.codeTtlSec + EXPIRY_MARGIN_SEC;
    if (waitSec > MAX_SLOW_WAIT_SEC || (waitSec > pc.maxWaitSec && !pc.slow)) {
      const how = waitSec > MAX_SLOW_WAIT_SEC ? `over the ${MAX_SLOW_WAIT_SEC} s limit` : `over the ${pc.maxWaitSec} s bound (add --slow to wait)`;
      return { status: 'skipped', reason: `code lifetime ${pc.codeTtlSec} s: waiting ${waitSec} s is ${how}`, evidence: [] };
    }
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    await pc.sleep(waitSec * 1000);
    const t = await redeemStep(pc, `token request ${waitSec} s after the code was issued (lifetime ${pc.codeTtlSec} s)`, a.got);
    return mustRefuse(t, [a.evidence, t.evidence], `a code was redeemed after its ${pc.codeTtlSec} s lifetime`);
  },
};

/** P12: redirect_uri at the token endpoint different from the authorization request's, or missing. */
export const redirectUriProbe: Probe = {
  id: 'P12',
  title: 'redirect_uri mismatch or missing at the token endpoint',
  severity: 'high',
  expected: '400 invalid_grant (mismatch) / invalid_request (missing), RFC 6749 §4.1.3',
  async run(pc) {
    const evidence = [];
    const accepted: string[] = [];
    let unanswered = 0;
    const cases: Array<[string, string | null]> = [
      ['a different redirect_uri', `${pc.flow.target.redirectUri.replace(/\/$/, '')}/tokenstorm-probe`],
      ['no redirect_uri', null],
    ];
    for (const [label, uri] of cases) {
      const a = await authorizeNormally(pc);
      if (!a.got) return noCode(a);
      const t = await redeemStep(pc, `token request with ${label}`, a.got, { overrideRedirectUri: uri });
      evidence.push(a.evidence, t.evidence);
      if (t.issued) accepted.push(label);
      if (t.status === null) unanswered++;
    }
    if (accepted.length > 0) return { status: 'finding', observed: `tokens were issued for ${accepted.join(' and for ')}`, evidence };
    if (unanswered > 0) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence };
    return { status: 'pass', evidence };
  },
};

/** P13: a code issued to one client redeemed by another. */
export const crossClientProbe: Probe = {
  id: 'P13',
  title: 'code of client A redeemed by client B',
  severity: 'critical',
  expected: '400 invalid_grant (client mismatch)',
  async run(pc) {
    if (pc.secondClientId === null) {
      return { status: 'skipped', reason: 'no second client to redeem with (set probes.secondClientId in the scenario)', evidence: [] };
    }
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    // The second client is public (the embedded IdP's, or probes.secondClientId): it authenticates with its id alone.
    const other = { ...pc.flow.target, clientId: pc.secondClientId };
    const t = await redeemStep(pc, 'token request by the second client', a.got, { target: other, clientAuth: publicClient(pc.secondClientId) });
    return mustRefuse(t, [a.evidence, t.evidence], 'a code issued to one client was redeemed by another');
  },
};
