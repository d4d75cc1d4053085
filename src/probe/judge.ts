/**
 * Shared verdict rules: a token request the IdP had to refuse either was refused (pass), was
 * answered with tokens (finding) or got no answer (inconclusive).
 */
import type { ProbeEvidence } from '../report/schema.ts';
import { type AuthorizeStep, authorizeStep, type TokenStep } from './steps.ts';
import type { ProbeContext, ProbeVerdict } from './types.ts';

/**
 * Verdict for a token request that must be refused.
 *
 * @example
 * return mustRefuse(t, [a.evidence, t.evidence], 'tokens were issued for a wrong code_verifier');
 */
export function mustRefuse(t: TokenStep, evidence: ProbeEvidence[], observed: string): ProbeVerdict {
  if (t.issued) return { status: 'finding', observed, evidence };
  if (t.status === null) return { status: 'inconclusive', reason: 'the token endpoint did not answer', evidence };
  return { status: 'pass', evidence };
}

/** A verdict for a probe that could not get the code it needs. */
export function noCode(a: AuthorizeStep): ProbeVerdict {
  const why = [a.evidence.error, a.evidence.failureClass, a.evidence.description].filter(Boolean).join(': ');
  return { status: 'inconclusive', reason: `could not obtain an authorization code (${why || 'no answer'})`, evidence: [a.evidence] };
}

/** The usual first step: a correct S256 authorization request. */
export function authorizeNormally(pc: ProbeContext, target = pc.flow.target): Promise<AuthorizeStep> {
  return authorizeStep(pc, 'authorization request with an S256 challenge', { target });
}
