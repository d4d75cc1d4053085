/**
 * Every probe, in the order `tokenstorm probe` runs them. A new probe is an object implementing
 * {@link Probe} in its own file plus one line here.
 */
import { challengeReuseProbe, downgradeProbe, noChallengeProbe, plainMethodProbe } from './authorize-probes.ts';
import { crossClientProbe, expiredCodeProbe, redirectUriProbe } from './binding-probes.ts';
import { challengeMethodsProbe, issParameterProbe } from './discovery-probes.ts';
import { dpopUnboundRefreshProbe } from './dpop-probes.ts';
import { parallelReplayProbe, refreshReuseProbe, sequentialReplayProbe, wrongVerifierReplayProbe } from './replay-probes.ts';
import type { Probe } from './types.ts';
import {
  challengeAsVerifierProbe,
  malformedVerifierProbe,
  missingVerifierProbe,
  redeemableAfterPkceFailureProbe,
  wrongVerifierProbe,
} from './verifier-probes.ts';

/** The catalogue: PKCE.md P1–P14, then the checks beyond it. */
export const PROBES: readonly Probe[] = [
  wrongVerifierProbe,
  missingVerifierProbe,
  malformedVerifierProbe,
  challengeAsVerifierProbe,
  plainMethodProbe,
  noChallengeProbe,
  downgradeProbe,
  sequentialReplayProbe,
  parallelReplayProbe,
  wrongVerifierReplayProbe,
  expiredCodeProbe,
  redirectUriProbe,
  crossClientProbe,
  challengeReuseProbe,
  issParameterProbe,
  challengeMethodsProbe,
  redeemableAfterPkceFailureProbe,
  refreshReuseProbe,
  dpopUnboundRefreshProbe,
];

/** The probe with this id (case-insensitive), or undefined. */
export function probeById(id: string): Probe | undefined {
  const want = id.toLowerCase();
  return PROBES.find((p) => p.id.toLowerCase() === want);
}
