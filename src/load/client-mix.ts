/**
 * The buggy-client share of the load while a `clientMix` fault is active: the fault's actuator sets
 * it, the flow workload draws from it for every flow it starts, and the `plain` challenges sent and
 * accepted are counted for the PKCE method-compliance metric (M6).
 */
import type { BuggyClientKind, BuggyFlowResult } from '../flow/buggy-client.ts';

/** Shared between the fault actuator (writer) and the flow workload (reader). */
export class ClientMix {
  private active: { kind: BuggyClientKind; fraction: number } | null = null;
  /** `plain` challenges sent by buggy flows, and how many of them got a code. */
  readonly plain = { sent: 0, accepted: 0 };
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  /** Starts (or, with null, ends) a mix. */
  set(mix: { kind: BuggyClientKind; fraction: number } | null): void {
    this.active = mix;
  }

  /** The buggy client this flow plays, or null for a correct one. */
  draw(): BuggyClientKind | null {
    const m = this.active;
    return m !== null && this.random() < m.fraction ? m.kind : null;
  }

  /** Counts what a buggy flow sent, for M6. */
  count(r: BuggyFlowResult): void {
    if (r.challengeMethod !== 'plain') return;
    this.plain.sent++;
    if (r.codeIssued) this.plain.accepted++;
  }
}
