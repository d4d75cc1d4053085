/**
 * A security probe: one negative test of the target's PKCE handling (shared/PKCE.md catalogue
 * P1–P14 and more) that sends only OAuth requests with the scenario's own client and test user,
 * and answers with a verdict carrying redacted evidence.
 */
import type { FlowContext } from '../flow/pkce-flow.ts';
import type { FlowTarget } from '../flow/target.ts';
import type { ProbeEvidence, Severity } from '../report/schema.ts';

/** What a probe needs beyond a flow context. */
export interface ProbeContext {
  /** Flow machinery; its recorder receives the probe traffic (never the load's histograms). */
  flow: FlowContext;
  /**
   * The target asking for `offline_access` with `prompt=consent`, so that refresh tokens are issued
   * (refresh rotation, revocation checks); null when the target is not to be asked for them.
   */
  offlineTarget: FlowTarget | null;
  /** Discovery promises `iss` in authorization responses (RFC 9207); flow.target is lenient about it. */
  issPromised: boolean;
  /** A second client registered with the same redirect_uri (P13); null when there is none. */
  secondClientId: string | null;
  /** The IdP's authorization code lifetime, s (P11); null when unknown. */
  codeTtlSec: number | null;
  /** Longest a probe may wait (P11), s; `slow` lifts it. */
  maxWaitSec: number;
  slow: boolean;
  /** Parallel redemptions of one code (P9). */
  parallelRedemptions: number;
  /** Sleeps (injected so tests can shorten or observe waits). */
  sleep: (ms: number) => Promise<void>;
}

/** A probe's answer. */
export type ProbeVerdict =
  | { status: 'pass'; evidence: ProbeEvidence[] }
  | { status: 'finding'; observed: string; evidence: ProbeEvidence[]; severity?: Severity }
  | { status: 'skipped' | 'inconclusive'; reason: string; evidence: ProbeEvidence[] };

/** One probe (an extension point: an object in its own file plus one line in registry.ts). */
export interface Probe {
  /** Stable id, e.g. `P1` or `iss-missing`. */
  readonly id: string;
  readonly title: string;
  /** Severity of a finding (a verdict may lower or raise it with a reason). */
  readonly severity: Severity;
  /** The correct answer, in words. */
  readonly expected: string;
  run(pc: ProbeContext): Promise<ProbeVerdict>;
}
