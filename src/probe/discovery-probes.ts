/**
 * Probes of what the IdP promises and whether it keeps it: RFC 9207 `iss` in authorization
 * responses (mix-up defence), and the challenge methods discovery advertises.
 */
import { discover } from '../flow/target.ts';
import type { ProbeEvidence } from '../report/schema.ts';
import { authorizeStep } from './steps.ts';
import type { Probe } from './types.ts';

/** `iss` on a success and on an error authorization response. */
export const issParameterProbe: Probe = {
  id: 'iss',
  title: 'iss in authorization responses (RFC 9207)',
  severity: 'high',
  expected: 'iss present and equal to the issuer on every authorization response, as discovery promises',
  async run(pc) {
    const issuer = pc.flow.target.issuer;
    const seen: Array<{ kind: string; iss: string | null }> = [];
    const evidence: ProbeEvidence[] = [];
    const look = (kind: string) => (url: URL) => {
      seen.push({ kind, iss: url.searchParams.get('iss') });
    };
    const ok = await authorizeStep(pc, 'authorization request with an S256 challenge', { onAuthorizationResponse: look('success response') });
    evidence.push(ok.evidence);
    // An error response: a request without challenge is refused by an IdP that requires PKCE.
    const bad = await authorizeStep(pc, 'authorization request without code_challenge', {
      overrideChallenge: null,
      overrideChallengeMethod: null,
      onAuthorizationResponse: look(ok.got ? 'error response' : 'response'),
    });
    evidence.push(bad.evidence);
    if (seen.length === 0) return { status: 'inconclusive', reason: 'no authorization response reached the redirect_uri', evidence };
    for (const s of seen) evidence.push({ step: `iss on the ${s.kind}`, description: s.iss === null ? 'absent' : s.iss === issuer ? 'equals the issuer' : 'differs from the issuer' });
    const wrong = seen.filter((s) => s.iss !== null && s.iss !== issuer);
    if (wrong.length > 0) return { status: 'finding', observed: `iss differs from the issuer on the ${wrong.map((s) => s.kind).join(' and ')}`, evidence };
    const missing = seen.filter((s) => s.iss === null);
    if (missing.length === 0) return { status: 'pass', evidence };
    const where = missing.map((s) => s.kind).join(' and ');
    if (pc.issPromised) {
      return { status: 'finding', observed: `discovery promises iss (authorization_response_iss_parameter_supported) but the ${where} ${missing.length > 1 ? 'lack' : 'lacks'} it: clients that check it fail, clients that do not are open to mix-up`, evidence };
    }
    return { status: 'finding', severity: 'low', observed: `no iss on the ${where} and none promised: clients have no mix-up defence`, evidence };
  },
};

/** code_challenge_methods_supported: S256 advertised, plain not. */
export const challengeMethodsProbe: Probe = {
  id: 'discovery-methods',
  title: 'challenge methods advertised in discovery',
  severity: 'medium',
  expected: 'code_challenge_methods_supported lists S256 and not plain',
  async run(pc) {
    // Read afresh: what the IdP advertises now, not when the probe context was built.
    const t = pc.flow.target;
    let methods: string[];
    try {
      const now = await discover(pc.flow.http, t.issuer, { clientId: t.clientId, redirectUri: t.redirectUri, scope: t.scope, username: t.username, password: t.password });
      methods = now.codeChallengeMethods;
    } catch (err) {
      return { status: 'inconclusive', reason: `discovery failed: ${err instanceof Error ? err.message : String(err)}`, evidence: [] };
    }
    const evidence: ProbeEvidence[] = [{ step: 'discovery code_challenge_methods_supported', description: methods.length > 0 ? methods.join(', ') : 'absent' }];
    const problems: string[] = [];
    if (!methods.includes('S256')) problems.push('S256 is not advertised');
    if (methods.includes('plain')) problems.push('plain is advertised');
    if (problems.length > 0) return { status: 'finding', observed: problems.join('; '), evidence };
    return { status: 'pass', evidence };
  },
};
