/**
 * Probes of the authorization endpoint's PKCE policy (PKCE.md P5–P7, P14): which challenges it
 * accepts, and whether a code obtained without one can be redeemed with a verifier (downgrade).
 */
import { generatePair } from '../pkce/challenge.ts';
import type { ProbeEvidence } from '../report/schema.ts';
import { noCode } from './judge.ts';
import { type AuthorizeStep, authorizeStep, redeemStep } from './steps.ts';
import type { Probe, ProbeVerdict } from './types.ts';

/** An authorization request that must be refused with an error redirect. */
function refusedAtAuthorization(a: AuthorizeStep, evidence: ProbeEvidence[]): ProbeVerdict | null {
  if (a.got) return null;
  if (!a.answered) return { status: 'inconclusive', reason: 'the authorization endpoint did not answer', evidence };
  return { status: 'pass', evidence };
}

/** P5: `code_challenge_method=plain` where S256 is required. */
export const plainMethodProbe: Probe = {
  id: 'P5',
  title: 'code_challenge_method=plain accepted',
  severity: 'medium',
  expected: 'error redirect invalid_request (plain not supported)',
  async run(pc) {
    const pair = generatePair();
    const a = await authorizeStep(pc, 'authorization request with code_challenge_method=plain', {
      overridePair: pair,
      overrideChallenge: pair.verifier,
      overrideChallengeMethod: 'plain',
    });
    const refused = refusedAtAuthorization(a, [a.evidence]);
    if (refused) return refused;
    const t = await redeemStep(pc, 'token request with the plain verifier', a.got!);
    return {
      status: 'finding',
      observed: `a code was issued for a plain challenge${t.issued ? ' and redeemed for tokens' : ''} (an intercepted authorization request reveals the verifier)`,
      evidence: [a.evidence, t.evidence],
    };
  },
};

/** P6: a public client's authorization request without any challenge. */
export const noChallengeProbe: Probe = {
  id: 'P6',
  title: 'authorization request without code_challenge (public client)',
  severity: 'high',
  expected: 'error redirect invalid_request (PKCE required for public clients, RFC 9700 §2.1.1)',
  async run(pc) {
    const a = await authorizeStep(pc, 'authorization request without code_challenge', { overrideChallenge: null, overrideChallengeMethod: null });
    const refused = refusedAtAuthorization(a, [a.evidence]);
    if (refused) return refused;
    const t = await redeemStep(pc, 'token request without code_verifier', a.got!, { overrideVerifier: null });
    return {
      status: 'finding',
      observed: `a code was issued to a public client without PKCE${t.issued ? ' and redeemed without a verifier' : ''}`,
      evidence: [a.evidence, t.evidence],
    };
  },
};

/** P7: no challenge at authorization, a verifier at the token endpoint (the PKCE downgrade). */
export const downgradeProbe: Probe = {
  id: 'P7',
  title: 'PKCE downgrade (verifier for a code issued without challenge)',
  severity: 'high',
  expected: 'invalid_request or invalid_grant at the token endpoint (RFC 9700 §2.1.1), or no code without challenge',
  async run(pc) {
    const a = await authorizeStep(pc, 'authorization request without code_challenge', { overrideChallenge: null, overrideChallengeMethod: null });
    if (!a.got) {
      if (!a.answered) return { status: 'inconclusive', reason: 'the authorization endpoint did not answer', evidence: [a.evidence] };
      return { status: 'pass', evidence: [a.evidence, { step: 'token request', description: 'not sent: no code is issued without a challenge' }] };
    }
    const t = await redeemStep(pc, 'token request with a code_verifier for a code without challenge', a.got);
    if (t.issued) {
      return { status: 'finding', observed: 'a code_verifier was accepted for a code issued without a challenge (downgrade not detected)', evidence: [a.evidence, t.evidence] };
    }
    if (t.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence: [a.evidence, t.evidence] };
    return { status: 'pass', evidence: [a.evidence, t.evidence] };
  },
};

/** P14: one challenge used for two authorization requests (a client bug, not an IdP obligation). */
export const challengeReuseProbe: Probe = {
  id: 'P14',
  title: 'same code_challenge reused across authorization requests',
  severity: 'info',
  expected: 'allowed by RFC 7636 (a challenge per transaction is the client’s duty); reported for information',
  async run(pc) {
    const pair = generatePair();
    const a1 = await authorizeStep(pc, 'first authorization request with a challenge', { overridePair: pair });
    if (!a1.got) return noCode(a1);
    const a2 = await authorizeStep(pc, 'second authorization request with the same challenge', { overridePair: pair });
    if (!a2.got) {
      if (!a2.answered) return { status: 'inconclusive', reason: 'the authorization endpoint did not answer', evidence: [a1.evidence, a2.evidence] };
      return { status: 'pass', evidence: [a1.evidence, a2.evidence] };
    }
    const t1 = await redeemStep(pc, 'token request for the first code', a1.got);
    const t2 = await redeemStep(pc, 'token request for the second code with the same verifier', a2.got);
    const evidence = [a1.evidence, a2.evidence, t1.evidence, t2.evidence];
    if (t1.issued && t2.issued) return { status: 'finding', observed: 'the same challenge was accepted for two transactions and both codes redeemed', evidence };
    return { status: 'pass', evidence };
  },
};
