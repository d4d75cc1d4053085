/**
 * Failed-flow samples for report.json's `failureSamples[]`: the first few failures of each class
 * that came from a flow with trace context, kept with the flow's trace id so the on-call can find
 * them in the IdP's logs and traces. Bounded per class and in total; evidence text is redacted.
 */
import type { FailureClass, FailureEvidence, FailureSample } from '../report/schema.ts';
import { redactDetail } from './redact.ts';

/** Which flow a failure belongs to (its session passes itself). */
export interface FlowTrace {
  traceId: string;
  flowIndex: number;
}

const MAX_SAMPLES_TOTAL = 200;

/**
 * Keeps up to `perClass` samples per failure class (200 in all).
 *
 * @example
 * const samples = new FailureSamples(10);
 * const s = samples.sample(evidence, session, 'baseline', 1234);
 * samples.list(); // [s]
 */
export class FailureSamples {
  private readonly perClass: number;
  private readonly kept: FailureSample[] = [];
  private readonly count = new Map<FailureClass, number>();

  constructor(perClass: number) {
    this.perClass = perClass;
  }

  /** Builds the sample (listeners get it either way) and keeps it while its class has room. */
  sample(evidence: FailureEvidence, trace: FlowTrace, phase: string, atMs: number): FailureSample {
    const s: FailureSample = {
      failureClass: evidence.failureClass,
      traceId: trace.traceId,
      flowIndex: trace.flowIndex,
      phase,
      atMs: Math.round(atMs),
      endpoint: evidence.endpoint,
    };
    // Evidence text comes from outside (IdP error fields, socket messages): redacted before keeping.
    if (evidence.status !== undefined) s.status = evidence.status;
    if (evidence.error !== undefined) s.error = redactDetail(evidence.error).slice(0, 100);
    if (evidence.description !== undefined) s.description = redactDetail(evidence.description);
    if (evidence.socketCode !== undefined) s.socketCode = evidence.socketCode;
    const n = this.count.get(s.failureClass) ?? 0;
    if (n < this.perClass && this.kept.length < MAX_SAMPLES_TOTAL) {
      this.kept.push(s);
      this.count.set(s.failureClass, n + 1);
    }
    return s;
  }

  /** The kept samples, in order of occurrence. */
  list(): FailureSample[] {
    return [...this.kept];
  }
}
