/**
 * A recorder for one probe step: forwards every sample to the probe run's recorder (so probe
 * traffic has its own histograms) and keeps this step's failures, so the step can say what the IdP
 * answered even while other steps run concurrently (P9).
 */
import { Recorder } from '../metrics/recorder.ts';
import { redactDetail } from '../metrics/redact.ts';
import type { EndpointClass, FailureEvidence } from '../report/schema.ts';

/**
 * Captures one step's failures and exchanges.
 *
 * @example
 * const step = new StepRecorder(probeRecorder);
 * await exchangeCode({ ...ctx, recorder: step }, session, got);
 * step.failures; // what the token endpoint answered, redacted
 */
export class StepRecorder extends Recorder {
  readonly failures: FailureEvidence[] = [];
  readonly exchanges: Array<{ endpoint: EndpointClass; ok: boolean }> = [];
  private readonly parent: Recorder;

  constructor(parent: Recorder) {
    super({ now: () => 0 });
    this.parent = parent;
  }

  override exchange(endpoint: EndpointClass, serviceUs: number, latencyUs: number, ok: boolean): void {
    this.exchanges.push({ endpoint, ok });
    this.parent.exchange(endpoint, serviceUs, latencyUs, ok);
  }

  override failure(evidence: FailureEvidence): void {
    const kept = { ...evidence };
    if (kept.description !== undefined) kept.description = redactDetail(kept.description);
    this.failures.push(kept);
    this.parent.failure(evidence);
  }

  override flowStarted(lateMs = 0): void {
    this.parent.flowStarted(lateMs);
  }

  override flowEnded(ok: boolean, latencyUs: number, serviceUs: number): void {
    this.parent.flowEnded(ok, latencyUs, serviceUs);
  }
}
