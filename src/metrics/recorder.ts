/**
 * The recorder: every timed exchange and every flow outcome lands here, into HDR histograms per
 * endpoint class × phase, a per-second series and failure counts by class. Memory is bounded:
 * histograms have a fixed size and the per-second histograms are reused, so 10M samples cost what
 * 10 samples cost (the series grows by one small point per second).
 */
import type {
  EndpointClass,
  EndpointReport,
  FailureClass,
  FailureEvidence,
  FailureSample,
  PhaseReport,
  SeriesPoint,
} from '../report/schema.ts';
import { redactEvidence } from './redact.ts';
import { createHistogram, encodeHistogram, type Histogram, recordUs, summarize } from './hdr.ts';
import { FailureSamples, type FlowTrace } from './failure-samples.ts';
import type { RecorderListener, RequestSpan } from './recorder-listener.ts';
import type { RequestTiming } from './request-timing.ts';
import { addSplit, newSplit, recordSplit, type SplitStats, splitReport } from './split-stats.ts';

export type { FlowTrace };

interface EndpointStats {
  latency: Histogram;
  service: Histogram;
  count: number;
  errors: number;
  /** The timing split (null until the endpoint's first timed HTTP exchange; `flow` never has one). */
  split: SplitStats | null;
}


interface FlowCounts {
  started: number;
  completed: number;
  failed: number;
  dropped: number;
}

interface PhaseState {
  name: string;
  startMs: number;
  endMs: number;
  faults: string[];
  flows: FlowCounts;
  endpoints: Map<EndpointClass, EndpointStats>;
  failures: Map<FailureClass, number>;
}

interface SecondEndpoint {
  h: Histogram;
  count: number;
  errors: number;
}

/** Everything the recorder collected, ready for report.json. */
export interface RecorderResult {
  flows: FlowCounts & { late: number };
  endpoints: Partial<Record<EndpointClass, EndpointReport>>;
  failures: Partial<Record<FailureClass, number>>;
  failureEvidence: FailureEvidence[];
  /** Failed flows with trace ids, at most `samplesPerClass` per class. */
  failureSamples: FailureSample[];
  phases: PhaseReport[];
  series: SeriesPoint[];
}

/** A short live view for progress output. */
export interface LiveView {
  elapsedMs: number;
  /** Completed + failed flows (or token exchanges) in the last full second. */
  ratePerSec: number;
  /** p95 of the progress endpoint in the last full second, ms. */
  p95Ms: number;
  errors: number;
  phase: string;
}

/** Options for {@link Recorder}. */
export interface RecorderOptions {
  /** Milliseconds since the run started (monotonic). Injected so tests can drive it. */
  now: () => number;
  /** Units in flight for each series point (the run passes the most in flight during the second). */
  inFlight?: () => number;
  /** Endpoint whose per-second p95 the live view shows (token mode: token; else flow). */
  liveEndpoint?: EndpointClass;
  /** Evidence examples kept per failure class (the rest are only counted). */
  evidencePerClass?: number;
  /** Failed-flow samples (with trace ids) kept per failure class. */
  samplesPerClass?: number;
  /**
   * Name of the first phase (default 'baseline'). A run with a warmup starts in phase 'warmup' and
   * lists it in `excludedPhases`.
   */
  initialPhase?: string;
  /** Phases reported on their own but left out of the run's totals (flows, endpoints, failures). */
  excludedPhases?: readonly string[];
}

const MAX_EVIDENCE_TOTAL = 100;

function newEndpointStats(): EndpointStats {
  return { latency: createHistogram(), service: createHistogram(), count: 0, errors: 0, split: null };
}

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function endpointReport(s: EndpointStats): EndpointReport {
  return {
    count: s.count,
    errors: s.errors,
    latencyMs: summarize(s.latency),
    serviceMs: summarize(s.service),
    hdr: encodeHistogram(s.latency),
    serviceHdr: encodeHistogram(s.service),
    ...(s.split ? splitReport(s.split) : {}),
  };
}

/**
 * Collects samples for one run.
 *
 * @example
 * const rec = new Recorder({ now: () => performance.now() - t0 });
 * rec.exchange('token', 12_000, 12_000, true);
 * const result = rec.finish();
 */
export class Recorder {
  private readonly now: () => number;
  private readonly inFlight: () => number;
  private readonly liveEndpoint: EndpointClass;
  private readonly evidencePerClass: number;
  private readonly phases: PhaseState[] = [];
  private current: PhaseState;
  /** Name of the phase active when the open second started (its series point's label). */
  private secPhase: string;
  private readonly flows: FlowCounts & { late: number } = { started: 0, completed: 0, failed: 0, dropped: 0, late: 0 };
  private readonly evidence: FailureEvidence[] = [];
  private readonly evidenceCount = new Map<FailureClass, number>();
  private totalErrors = 0;
  private readonly samples: FailureSamples;
  private flowsNumbered = 0;
  private readonly excluded: Set<string>;
  /** Flows counted in excluded phases (warmup), taken off the run's totals at the end. */
  private readonly excludedFlows: FlowCounts & { late: number } = { started: 0, completed: 0, failed: 0, dropped: 0, late: 0 };
  /** The last excluded phase that has ended: flows started in it are its, wherever they end. */
  private lastExcluded: PhaseState | null = null;
  private queuedUsTotal = 0;
  private serviceUsTotal = 0;
  /** Live consumer (metrics, spans); null costs one test per event. */
  private listener: RecorderListener | null = null;

  // Per-second series: the open second's counters; histograms are reused after each rollover.
  private readonly series: SeriesPoint[] = [];
  private second = 0;
  private secCounts: FlowCounts = { started: 0, completed: 0, failed: 0, dropped: 0 };
  private readonly secEndpoints = new Map<EndpointClass, SecondEndpoint>();
  private readonly secFailures = new Map<FailureClass, number>();
  private finished = false;

  constructor(options: RecorderOptions) {
    this.now = options.now;
    this.inFlight = options.inFlight ?? (() => 0);
    this.liveEndpoint = options.liveEndpoint ?? 'flow';
    this.evidencePerClass = options.evidencePerClass ?? 5;
    this.samples = new FailureSamples(options.samplesPerClass ?? 10);
    this.excluded = new Set(options.excludedPhases ?? []);
    this.current = this.newPhase(options.initialPhase ?? 'baseline', [], 0);
    this.secPhase = this.current.name;
  }

  private newPhase(name: string, faults: string[], startMs: number): PhaseState {
    const phase: PhaseState = {
      name,
      startMs,
      endMs: startMs,
      faults,
      flows: { started: 0, completed: 0, failed: 0, dropped: 0 },
      endpoints: new Map(),
      failures: new Map(),
    };
    this.phases.push(phase);
    return phase;
  }

  /**
   * Starts a new phase now (the fault timeline calls this at each boundary). Samples are recorded
   * into the phase active when they complete.
   */
  beginPhase(name: string, faults: string[]): void {
    const nowMs = this.now();
    this.roll(nowMs);
    this.current.endMs = nowMs;
    // A phase that saw nothing and lasted no time (two boundaries at once) is not worth a row.
    const c = this.current;
    if (this.excluded.has(c.name)) this.lastExcluded = c;
    const empty = c.endMs === c.startMs && c.flows.started === 0 && c.endpoints.size === 0;
    if (empty) this.phases.pop();
    this.current = this.newPhase(name, faults, nowMs);
    this.listener?.phase(name, faults);
    // The open second is labelled with the phase active at its start; a phase that replaced an
    // empty one at the same instant (the run's first phase) is that phase.
    if (empty && this.secPhase === c.name) this.secPhase = name;
  }

  /**
   * Sends every event from now on to `listener` as well (one at a time; null detaches). The
   * listener is told the current phase at once.
   *
   * @example
   * recorder.listen(metricsExporter.listener);
   */
  listen(listener: RecorderListener | null): void {
    this.listener = listener;
    listener?.phase(this.current.name, this.current.faults);
  }

  /** Numbers a new flow (0, 1, 2, … in order of start): failure samples name flows by it. */
  nextFlowIndex(): number {
    return this.flowsNumbered++;
  }

  /** One request of a flow ended: only the live listener (spans) sees it; the report counts exchanges. */
  request(span: RequestSpan): void {
    if (!this.finished) this.listener?.request(span);
  }

  /** True when a live listener is attached (so callers can skip building what only it needs). */
  get listening(): boolean {
    return this.listener !== null;
  }

  /** Name of the phase samples go into now. */
  get phaseName(): string {
    return this.current.name;
  }

  /** The seconds closed so far (read-only view; the run's liveness watch reads the newest). */
  get closedSeconds(): readonly SeriesPoint[] {
    return this.series;
  }

  /** Closes finished seconds; the engine calls it about once a second so idle seconds show. */
  tick(): void {
    this.roll(this.now());
  }

  private roll(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    while (this.second < sec) {
      this.closeSecond();
      this.second++;
      this.secPhase = this.current.name;
    }
  }

  private closeSecond(): void {
    const endpoints: SeriesPoint['endpoints'] = {};
    for (const [cls, s] of this.secEndpoints) {
      if (s.count === 0) continue;
      const sum = summarize(s.h);
      endpoints[cls] = { count: s.count, errors: s.errors, p50: sum.p50, p95: sum.p95, p99: sum.p99 };
      s.h.reset();
      s.count = 0;
      s.errors = 0;
    }
    const failures: SeriesPoint['failures'] = {};
    for (const [cls, n] of this.secFailures) failures[cls] = n;
    this.secFailures.clear();
    this.series.push({ t: this.second, phase: this.secPhase, ...this.secCounts, inFlight: this.inFlight(), endpoints, failures });
    this.secCounts = { started: 0, completed: 0, failed: 0, dropped: 0 };
  }

  private stats(endpoint: EndpointClass): EndpointStats {
    let s = this.current.endpoints.get(endpoint);
    if (!s) {
      s = newEndpointStats();
      this.current.endpoints.set(endpoint, s);
    }
    return s;
  }

  private secStats(endpoint: EndpointClass): SecondEndpoint {
    let s = this.secEndpoints.get(endpoint);
    if (!s) {
      s = { h: createHistogram(2), count: 0, errors: 0 };
      this.secEndpoints.set(endpoint, s);
    }
    return s;
  }

  /**
   * One timed exchange (or a whole flow when `endpoint` is 'flow').
   * @param serviceUs from the actual send to the last body byte
   * @param latencyUs from the intended start (equal to serviceUs when there is no schedule)
   */
  exchange(endpoint: EndpointClass, serviceUs: number, latencyUs: number, ok: boolean): void {
    if (this.finished) return;
    this.roll(this.now());
    const s = this.stats(endpoint);
    recordUs(s.latency, latencyUs);
    recordUs(s.service, serviceUs);
    s.count++;
    const sec = this.secStats(endpoint);
    recordUs(sec.h, latencyUs);
    sec.count++;
    if (!ok) {
      s.errors++;
      sec.errors++;
    }
    this.listener?.exchange(endpoint, serviceUs, latencyUs, ok);
  }

  /**
   * The timing split of one HTTP exchange (from the client's `onTiming`), into the endpoint's
   * queued / connect / wait histograms. Connect time is recorded only for exchanges that opened a
   * connection, so `connectMs.count` is the number of connections opened.
   *
   * @example
   * http.onTiming = (endpoint, t) => recorder.timing(endpoint, t);
   */
  timing(endpoint: EndpointClass | 'discovery', t: RequestTiming): void {
    if (this.finished || endpoint === 'discovery') return;
    const s = this.stats(endpoint);
    s.split ??= newSplit();
    recordSplit(s.split, t);
    this.queuedUsTotal += t.queuedUs;
    this.serviceUsTotal += t.queuedUs + t.connectUs + t.waitUs + t.receiveUs;
  }

  /** Sum of the pool's queueing over the sum of service time, over all timed exchanges (0 when none). */
  get queuedShare(): number {
    return this.serviceUsTotal > 0 ? this.queuedUsTotal / this.serviceUsTotal : 0;
  }

  /** A flow (or token exchange) started; `lateMs` = how far behind its intended time. */
  flowStarted(lateMs = 0): void {
    if (this.finished) return;
    this.roll(this.now());
    this.flows.started++;
    this.current.flows.started++;
    this.secCounts.started++;
    const excluded = this.excluded.has(this.current.name);
    if (excluded) this.excludedFlows.started++;
    // Below 10 ms behind schedule is timer granularity, not the harness falling behind.
    if (lateMs > 10) {
      this.flows.late++;
      if (excluded) this.excludedFlows.late++;
    }
    this.listener?.flowStarted(lateMs > 10);
  }

  /** A flow could not start at its intended time (no free slot, or no banked code). */
  flowDropped(): void {
    if (this.finished) return;
    this.roll(this.now());
    this.flows.dropped++;
    this.current.flows.dropped++;
    if (this.excluded.has(this.current.name)) this.excludedFlows.dropped++;
    this.secCounts.dropped++;
    this.listener?.flowDropped();
  }

  /** A flow ended; records the `flow` endpoint too. */
  flowEnded(ok: boolean, latencyUs: number, serviceUs: number): void {
    if (this.finished) return;
    // A flow intended during a warmup belongs to the warmup even when it ends after it, so the
    // totals never count an end without its start.
    const nowMs = this.now();
    const w = this.lastExcluded;
    const ofWarmup = w !== null && w !== this.current && nowMs - latencyUs / 1000 < w.endMs;
    const phase = ofWarmup ? w : this.current;
    if (ofWarmup) {
      this.roll(nowMs);
      const st = phase.endpoints.get('flow') ?? newEndpointStats();
      phase.endpoints.set('flow', st);
      recordUs(st.latency, latencyUs);
      recordUs(st.service, serviceUs);
      st.count++;
      if (!ok) st.errors++;
      this.listener?.exchange('flow', serviceUs, latencyUs, ok);
    } else {
      this.exchange('flow', serviceUs, latencyUs, ok);
    }
    const excluded = this.excluded.has(phase.name);
    if (ok) {
      this.flows.completed++;
      phase.flows.completed++;
      this.secCounts.completed++;
      if (excluded) this.excludedFlows.completed++;
    } else {
      this.flows.failed++;
      phase.flows.failed++;
      this.secCounts.failed++;
      if (excluded) this.excludedFlows.failed++;
    }
    this.listener?.flowEnded(ok);
  }

  /**
   * A classified failure with its evidence. Every target-supplied text in it is redacted here, the
   * one place evidence enters the report: `secrets` are what the flow handled (verifier, code,
   * tokens, password, cookies), scrubbed wherever they appear, however short. With `trace` (the
   * flow's session passes it) the first few per class are kept as samples with the flow's trace id.
   */
  failure(evidence: FailureEvidence, trace?: FlowTrace, secrets: Iterable<string> = []): void {
    if (this.finished) return;
    this.roll(this.now());
    const cls = evidence.failureClass;
    bump(this.current.failures, cls);
    bump(this.secFailures, cls);
    this.totalErrors++;
    const seen = this.evidenceCount.get(cls) ?? 0;
    const keep = seen < this.evidencePerClass && this.evidence.length < MAX_EVIDENCE_TOTAL;
    // Descriptions and error fields come from outside (IdP text, error pages, socket messages):
    // redacted before they are kept, sampled or exported.
    const redacted = keep || trace || this.listener ? redactEvidence(evidence, secrets) : evidence;
    if (keep) this.evidence.push(redacted);
    this.evidenceCount.set(cls, seen + 1);
    const sample = trace ? this.samples.sample(redacted, trace, this.current.name, this.now()) : null;
    this.listener?.failure(redacted, sample);
  }

  /** What progress output shows. */
  live(): LiveView {
    const last = this.series[this.series.length - 1];
    const ep = last?.endpoints[this.liveEndpoint];
    return {
      elapsedMs: this.now(),
      ratePerSec: last ? last.completed + last.failed : 0,
      p95Ms: ep?.p95 ?? 0,
      errors: this.totalErrors,
      phase: this.current.name,
    };
  }

  /** Closes the run: the open second and phase are closed and everything is summarised. Idempotent. */
  finish(): RecorderResult {
    if (!this.finished) {
      const nowMs = this.now();
      this.roll(nowMs);
      // The partial last second still counts (a 10.4 s run has 11 points).
      if (this.secCounts.started + this.secCounts.dropped > 0 || [...this.secEndpoints.values()].some((s) => s.count > 0)) {
        this.closeSecond();
      }
      this.current.endMs = nowMs;
      this.finished = true;
    }
    const total = new Map<EndpointClass, EndpointStats>();
    const failures = new Map<FailureClass, number>();
    const phases: PhaseReport[] = this.phases.map((p) => {
      const endpoints: PhaseReport['endpoints'] = {};
      const inTotals = !this.excluded.has(p.name);
      for (const [cls, s] of p.endpoints) {
        endpoints[cls] = endpointReport(s);
        if (!inTotals) continue;
        let t = total.get(cls);
        if (!t) {
          t = newEndpointStats();
          total.set(cls, t);
        }
        t.latency.add(s.latency);
        t.service.add(s.service);
        if (s.split) {
          t.split ??= newSplit();
          addSplit(t.split, s.split);
        }
        t.count += s.count;
        t.errors += s.errors;
      }
      if (inTotals) for (const [cls, n] of p.failures) bump(failures, cls, n);
      return {
        name: p.name,
        startMs: Math.round(p.startMs),
        endMs: Math.round(p.endMs),
        faults: p.faults,
        flows: { ...p.flows },
        endpoints,
        failures: Object.fromEntries(p.failures),
      };
    });
    const endpoints: RecorderResult['endpoints'] = {};
    for (const [cls, s] of total) endpoints[cls] = endpointReport(s);
    const x = this.excludedFlows;
    return {
      flows: {
        started: this.flows.started - x.started,
        completed: this.flows.completed - x.completed,
        failed: this.flows.failed - x.failed,
        dropped: this.flows.dropped - x.dropped,
        late: this.flows.late - x.late,
      },
      endpoints,
      failures: Object.fromEntries(failures),
      failureEvidence: [...this.evidence],
      failureSamples: this.samples.list(),
      phases,
      series: [...this.series],
    };
  }
}
