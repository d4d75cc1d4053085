/**
 * What a live consumer of the recorder sees (the Prometheus exporter, the OTLP span exporter): the
 * same events the recorder records, as they happen. The recorder holds at most one listener and
 * checks it with one null test per event, so a run without live metrics pays nothing else.
 */
import type { EndpointClass, FailureEvidence, FailureSample } from '../report/schema.ts';

/** One HTTP request of a flow, as exported as a span. Times in ms on the performance.now() clock. */
export interface RequestSpan {
  endpoint: EndpointClass;
  method: 'GET' | 'POST';
  /** Scheme, host and path only: the query carries state, challenges and codes. */
  target: string;
  traceId: string;
  spanId: string;
  startMs: number;
  serviceUs: number;
  /** HTTP status; 0 when the request failed at the transport level. */
  status: number;
  /** Set when the request failed at the transport level (socket code). */
  socketCode?: string;
}

/**
 * Receives every recorded event. All methods are called synchronously on the hot path: keep them
 * to counter increments and histogram observations.
 *
 * @example
 * recorder.listen({ exchange() {}, flowStarted() {}, flowDropped() {}, flowEnded() {}, failure() {}, phase() {}, request() {} });
 */
export interface RecorderListener {
  /** A timed exchange (`flow` for a whole flow); µs. */
  exchange(endpoint: EndpointClass, serviceUs: number, latencyUs: number, ok: boolean): void;
  /** A flow started; `late` when it started more than 10 ms behind its intended time. */
  flowStarted(late: boolean): void;
  flowDropped(): void;
  flowEnded(ok: boolean): void;
  /** A classified failure; `sample` is set when it came from a flow with trace context. */
  failure(evidence: FailureEvidence, sample: FailureSample | null): void;
  /** The phase samples go into from now on, with its active faults. */
  phase(name: string, faults: readonly string[]): void;
  /** One request of a flow ended (response or transport failure). */
  request(span: RequestSpan): void;
}

/**
 * A listener that ignores everything; spread it to implement only some events.
 *
 * @example
 * recorder.listen({ ...IGNORE_ALL, flowEnded: (ok) => (ok ? okCount++ : failCount++) });
 */
export const IGNORE_ALL: RecorderListener = Object.freeze({
  exchange() {},
  flowStarted() {},
  flowDropped() {},
  flowEnded() {},
  failure() {},
  phase() {},
  request() {},
});

/**
 * One listener that forwards to several (metrics and spans together).
 *
 * @example
 * recorder.listen(fanOut([prometheus.listener, otlp.listener]));
 */
export function fanOut(listeners: readonly RecorderListener[]): RecorderListener {
  if (listeners.length === 1) return listeners[0]!;
  return {
    exchange: (e, s, l, ok) => {
      for (const x of listeners) x.exchange(e, s, l, ok);
    },
    flowStarted: (late) => {
      for (const x of listeners) x.flowStarted(late);
    },
    flowDropped: () => {
      for (const x of listeners) x.flowDropped();
    },
    flowEnded: (ok) => {
      for (const x of listeners) x.flowEnded(ok);
    },
    failure: (ev, sample) => {
      for (const x of listeners) x.failure(ev, sample);
    },
    phase: (name, faults) => {
      for (const x of listeners) x.phase(name, faults);
    },
    request: (span) => {
      for (const x of listeners) x.request(span);
    },
  };
}
