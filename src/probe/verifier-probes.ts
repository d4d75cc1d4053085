/**
 * Probes of the token endpoint's code_verifier check (PKCE.md P1–P4) and of what a failed check
 * leaves behind.
 */
import { generatePair } from '../pkce/challenge.ts';
import { authorizeNormally, mustRefuse, noCode } from './judge.ts';
import { type AuthorizeStep, authorizeStep, redeemStep } from './steps.ts';
import type { Probe, ProbeContext } from './types.ts';

function authorizeStepWith(pc: ProbeContext, pair: { verifier: string; challenge: string }): Promise<AuthorizeStep> {
  return authorizeStep(pc, 'authorization request with an S256 challenge', { overridePair: pair });
}

/** P1: a code redeemed with another verifier than the one its challenge was made from. */
export const wrongVerifierProbe: Probe = {
  id: 'P1',
  title: 'wrong code_verifier',
  severity: 'critical',
  expected: '400 invalid_grant (the verifier does not match the challenge)',
  async run(pc) {
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    const t = await redeemStep(pc, 'token request with a different, well-formed code_verifier', a.got, { overrideVerifier: generatePair().verifier });
    return mustRefuse(t, [a.evidence, t.evidence], 'tokens were issued for a code_verifier that does not match the challenge');
  },
};

/** P2: a code redeemed without any verifier. */
export const missingVerifierProbe: Probe = {
  id: 'P2',
  title: 'missing code_verifier',
  severity: 'critical',
  expected: '400 invalid_grant or invalid_request (code_verifier required)',
  async run(pc) {
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    const t = await redeemStep(pc, 'token request without code_verifier', a.got, { overrideVerifier: null });
    return mustRefuse(t, [a.evidence, t.evidence], 'tokens were issued without a code_verifier although the request had a challenge');
  },
};

/** P3: verifiers outside RFC 7636 §4.1's syntax (42 and 129 chars, illegal characters). */
export const malformedVerifierProbe: Probe = {
  id: 'P3',
  title: 'malformed code_verifier (42/129 chars, illegal characters)',
  severity: 'low',
  expected: '400 invalid_request or invalid_grant for each',
  async run(pc) {
    const base = generatePair().verifier;
    const cases: Array<[string, string]> = [
      ['42 characters', base.slice(0, 42)],
      ['129 characters', (base + base + base + base).slice(0, 129)],
      ['illegal characters', `${base.slice(0, 40)}+/=`],
    ];
    const evidence = [];
    const accepted: string[] = [];
    let unanswered = 0;
    for (const [label, verifier] of cases) {
      const a = await authorizeNormally(pc);
      if (!a.got) return noCode(a);
      const t = await redeemStep(pc, `token request with a code_verifier of ${label}`, a.got, { overrideVerifier: verifier });
      evidence.push(t.evidence);
      if (t.issued) accepted.push(label);
      if (t.status === null) unanswered++;
    }
    if (accepted.length > 0) return { status: 'finding', observed: `tokens were issued for a code_verifier of ${accepted.join(', ')}`, evidence };
    if (unanswered > 0) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence };
    return { status: 'pass', evidence };
  },
};

/** P4: the intercepted challenge itself sent as the verifier (an attacker who saw the authorization request). */
export const challengeAsVerifierProbe: Probe = {
  id: 'P4',
  title: 'code_challenge sent as code_verifier',
  severity: 'critical',
  expected: '400 invalid_grant (S256 of the challenge is not the challenge)',
  async run(pc) {
    const pair = generatePair();
    const a = await authorizeStepWith(pc, pair);
    if (!a.got) return noCode(a);
    const t = await redeemStep(pc, 'token request with the S256 challenge as code_verifier', a.got, { overrideVerifier: pair.challenge });
    return mustRefuse(t, [a.evidence, t.evidence], 'tokens were issued for the challenge sent as verifier (S256 not enforced)');
  },
};

/** Info: a code whose PKCE check failed can still be redeemed with the right verifier. */
export const redeemableAfterPkceFailureProbe: Probe = {
  id: 'pkce-fail-redeemable',
  title: 'code still redeemable after a failed PKCE check',
  severity: 'info',
  expected: 'a code is burnt by a failed PKCE check (Keycloak does this; oidc-provider keeps it)',
  async run(pc) {
    const a = await authorizeNormally(pc);
    if (!a.got) return noCode(a);
    const wrong = await redeemStep(pc, 'token request with a wrong code_verifier', a.got, { overrideVerifier: generatePair().verifier });
    if (wrong.issued) return { status: 'inconclusive', reason: 'the wrong verifier was accepted (see P1)', evidence: [a.evidence, wrong.evidence] };
    const right = await redeemStep(pc, 'then the token request with the right code_verifier', a.got);
    const evidence = [a.evidence, wrong.evidence, right.evidence];
    if (right.issued) {
      return { status: 'finding', observed: 'after a failed PKCE check the same code was still redeemed (an attacker may try verifiers until the code expires)', evidence };
    }
    return { status: 'pass', evidence };
  },
};
