/**
 * report.json, schema `tokenstorm/report@1`. Field names are a public interface (CI scripts and
 * `tokenstorm compare` read them): add fields, never rename or remove. All times in ms unless the
 * name says otherwise.
 */

/** Endpoint classes timed separately (DESIGN.md "Measurement rules"). `flow` is the whole flow. */
export const ENDPOINT_CLASSES = ['par', 'authorize', 'login', 'consent', 'callback', 'token', 'refresh', 'flow'] as const;
/** One of {@link ENDPOINT_CLASSES}. */
export type EndpointClass = (typeof ENDPOINT_CLASSES)[number];

/** Stable failure class ids (DESIGN.md "Failure classes"). */
export const FAILURE_CLASSES = [
  'pkce_mismatch',
  'pkce_verifier_missing',
  'pkce_method_rejected',
  'code_reused',
  'code_expired',
  'redirect_uri_mismatch',
  'invalid_client',
  'invalid_request',
  'state_mismatch',
  'callback_missing_code',
  'login_failed',
  'login_unsupported',
  'rate_limited',
  'server_error',
  'timeout_connect',
  'timeout_response',
  'connection_reset',
  'connection_refused',
  'bad_response',
  'clock_skew',
  'unauthorized_client',
  'dpop_proof_invalid',
  'dpop_nonce_required',
  'refresh_token_reused',
  'id_token_invalid',
  'other',
] as const;
/** One of {@link FAILURE_CLASSES}. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Percentiles of one distribution, in ms. */
export interface LatencySummary {
  /** Smallest recorded value (absent in reports written before it was added). */
  min?: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One endpoint class (or the whole flow) over a run or a phase. */
export interface EndpointReport {
  count: number;
  errors: number;
  /** From the intended start (coordinated-omission corrected) for `flow` and token mode; otherwise = service time. */
  latencyMs: LatencySummary;
  /** From the actual send to the last body byte. */
  serviceMs: LatencySummary;
  /** Compressed base64 HDR histogram of `latencyMs`, recorded in µs (hdr-histogram-js encode). Mergeable. */
  hdr: string;
  /** Compressed base64 HDR histogram of `serviceMs`, µs. */
  serviceHdr: string;
  /**
   * The timing split of HTTP endpoints (absent for `flow`), k6-style: `queuedMs` = waiting for a
   * free connection in the harness's pool (dispatch to write, minus connect); `connectMs` = TCP
   * connect of the connections opened (`count` = connections opened); `waitMs` = write to first
   * response byte (the target's time). `serviceMs` ≈ queued + connect + wait + receive.
   */
  queuedMs?: LatencySummary;
  connectMs?: LatencySummary & { count: number };
  waitMs?: LatencySummary;
  /** Compressed base64 HDR histograms (µs, 2 significant digits) of the split. Mergeable. */
  queuedHdr?: string;
  connectHdr?: string;
  waitHdr?: string;
}

/** Evidence kept for the `other` class (first examples only). */
export interface FailureEvidence {
  failureClass: FailureClass;
  endpoint: EndpointClass;
  status?: number;
  error?: string;
  /** First 200 characters of error_description / socket message; never a secret. */
  description?: string;
  socketCode?: string;
}

/**
 * A failed flow kept as an example (a bounded number per class), with the W3C trace id its
 * requests carried in `traceparent`, so the IdP's own logs and traces for it can be found.
 */
export interface FailureSample {
  failureClass: FailureClass;
  /** 32 lowercase hex characters, as sent in `traceparent`. */
  traceId: string;
  /** The flow's number in this run (0-based, in order of start). */
  flowIndex: number;
  phase: string;
  /** Since the run started, ms. */
  atMs: number;
  endpoint: EndpointClass;
  status?: number;
  error?: string;
  /** Redacted, first 200 characters; never a secret. */
  description?: string;
  socketCode?: string;
}

/** A fault-timeline phase (`baseline` when the scenario has none). */
export interface PhaseReport {
  name: string;
  startMs: number;
  endMs: number;
  /** Fault descriptions active in this phase, e.g. `token: latency 300ms`. */
  faults: string[];
  flows: { started: number; completed: number; failed: number; dropped: number };
  endpoints: Partial<Record<EndpointClass, EndpointReport>>;
  failures: Partial<Record<FailureClass, number>>;
  /**
   * SLO burn rate in this phase: the phase's flow error rate divided by the SLO's error rate
   * (1 = spending the error budget exactly as fast as allowed). Absent without an SLO error rate;
   * null when no flow ended in the phase.
   */
  burnRate?: number | null;
  /** Share of the whole run's error budget (SLO error rate × flows ended) this phase consumed (1 = all of it). */
  budgetConsumed?: number | null;
}

/** One second of the run. */
export interface SeriesPoint {
  /** Seconds since start (window start). */
  t: number;
  /** Phase name active at the window start. */
  phase: string;
  started: number;
  completed: number;
  failed: number;
  dropped: number;
  /** The most units in flight during this second. */
  inFlight: number;
  /** Per endpoint: count, errors and latency percentiles (ms) in this second. */
  endpoints: Partial<Record<EndpointClass, { count: number; errors: number; p50: number; p95: number; p99: number }>>;
  failures: Partial<Record<FailureClass, number>>;
}

/** `--threshold` / scenario thresholds outcome. */
export interface ThresholdResult {
  expr: string;
  ok: boolean;
  /** The measured value the threshold was compared with (ms for latency, 0..1 for rates, flows/s for the knee). */
  actual: number | null;
  /** Why there is no (trustworthy) value, e.g. `no knee: the SLO broke below the start rate 50/s`. */
  detail?: string;
}

/** Per-fault game-day outcome (issue 4). */
export interface FaultOutcome {
  fault: string;
  phase: string;
  atMs: number;
  forMs: number;
  /** From fault start to the first window outside the SLO; null when never detected. */
  timeToDetectMs: number | null;
  /** From fault end to the first window back within the SLO (and staying); null when not recovered. */
  timeToRecoverMs: number | null;
  /** False when the fault was never applied (the run then fails); absent in older reports. */
  applied?: boolean;
  /** The fault server's or target's own error text when applying failed (redacted). */
  error?: string;
}

/** A run-level check besides thresholds (something succeeded, every fault applied, the baseline compared). */
export interface RunCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The harness watching itself. */
export interface HarnessReport {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Harness process CPU time / wall time (1.0 = one full core). */
  cpuCores: number;
  /** CPU ms spent by the harness per completed flow. */
  cpuMsPerFlow: number | null;
  /** Embedded IdP CPU cores, when it ran here. */
  idpCpuCores: number | null;
  /** True when the harness side (its loop, CPU, timer or connection pool), not the target, was likely the bottleneck. */
  bottleneck: boolean;
  reasons: string[];
  /** The self-check's verdict (metrics/bottleneck.ts): harness, pool (the harness's connection pool), target or none. */
  verdict?: 'harness' | 'pool' | 'target' | 'none';
  /** Flows run before the clock to warm the harness (load.primeFlows; flow mode), not measured. */
  primedFlows?: number;
  /** Peak resident set size of the harness process (all its threads) up to the end of the load, MB. */
  peakRssMb?: number;
  /** The harness's traffic in the measured window: bytes on every socket (headers and bodies) and connections opened. */
  wire?: { sentBytes: number; receivedBytes: number; connections: number };
  /** One sentence: "the target was the bottleneck: …", "the harness's connection pool was the bottleneck: …". */
  summary?: string;
  verifierPool: { workers: number; taken: number; waits: number };
  /** Client assertions and DPoP proofs signed ahead of time on a worker: taken, and how often none was ready (signed inline). */
  signing?: { taken: number; waits: number; stale: number };
  node: string;
}

/** How a search step was judged: `harness-limited` steps cannot be trusted and end the search. */
export type KneeStepVerdict = 'ok' | 'breach' | 'harness-limited';

/** One step of a capacity search (`load.search`): a constant open-model rate, judged after its settle time. */
export interface KneeStep {
  /** 1-based, in the order the steps ran. */
  index: number;
  /**
   * `grow`: geometric growth from the last good rate; `confirm`: the same rate again after a growing
   * step broke (one bad step on a shared machine must not end the growth); `bisect`: between the
   * last good and the first bad rate.
   */
  kind: 'grow' | 'confirm' | 'bisect';
  ratePerSec: number;
  /** The step's span, ms from the start of the run (the judged window starts `settleMs` later). */
  startMs: number;
  endMs: number;
  /** Judged window, ms from the start of the run (whole seconds). */
  judgedFromMs: number;
  judgedToMs: number;
  /** Median of the per-second p95s of the SLO endpoint in the judged window; null without samples. */
  p95Ms: number | null;
  /** failed / (completed + failed) in the judged window; null when no flow ended. */
  errorRate: number | null;
  /** SLO-endpoint samples in the judged window. */
  samples: number;
  /** Over the whole step. */
  started: number;
  dropped: number;
  late: number;
  verdict: KneeStepVerdict;
  /** Did the SLO hold (independently of the harness check)? */
  sloOk: boolean;
  /** Why the SLO broke; null when it held. */
  breach: string | null;
  /** Why the harness was the bottleneck; null when it kept up. */
  harness: string | null;
}

/** How a capacity search ended. */
export type KneeOutcome = 'found' | 'below-start' | 'harness-limited' | 'max-rate' | 'interrupted' | 'step-limit';

/** Capacity knee: from a ramping run's windows (issue 5) or from a search (`method: 'search'`, issue 14). */
export interface KneeReport {
  /** Highest sustained rate (flows/s) at which the SLO held; null when it never held. With a search: the knee. */
  sustainedRatePerSec: number | null;
  /** Rate at which it first broke; null when it never broke. */
  brokeAtRatePerSec: number | null;
  reason: string | null;
  /** `search` when found by `load.search`; absent for a ramp. */
  method?: 'ramp' | 'search';
  /** Search: the resolution reached, (brokeAt − sustained) / sustained in percent; null when not bracketed. */
  resolutionPct?: number | null;
  /** Search: the resolution asked for (`load.search.resolutionPct`). */
  targetResolutionPct?: number;
  /** Search: the harness, not the target, limited the search: the knee is "at least" sustainedRatePerSec. */
  harnessLimited?: boolean;
  /** Search: how it ended. `below-start`: the first step already broke the SLO. */
  outcome?: KneeOutcome;
  /** Search: the answer in words ("312.5/s ±5%", "at least 250/s, harness-limited", "below the start rate 50/s"). */
  answer?: string;
  /** Search: every step in the order run. */
  steps?: KneeStep[];
}

/** Regression check against a baseline (issue 5). */
export interface RegressionCheck {
  endpoint: EndpointClass;
  stat: string;
  baseline: number;
  current: number;
  tolerancePct: number;
  ok: boolean;
  /** Why the check was not made (e.g. too few samples); `ok` is then true and the values are 0. */
  skipped?: string;
  /** Unit of baseline/current; absent = ms (latency, higher is worse). `flows/s` (the knee): lower is worse. */
  unit?: 'ms' | 'flows/s';
}

/** Which kind of target a run measured (src/target/registry.ts). */
export type ReportTargetKind = 'embedded' | 'remote';
/** Finding severities, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** One of {@link SEVERITIES}. */
export type Severity = (typeof SEVERITIES)[number];

/** One observed exchange behind a probe's verdict: what the IdP answered, never a secret. */
export interface ProbeEvidence {
  /** What the probe did, e.g. `token request with a wrong code_verifier`. */
  step: string;
  /** HTTP status (303 for an authorization response); absent for transport failures. */
  status?: number;
  /** OAuth `error`, when the IdP sent one. */
  error?: string;
  failureClass?: FailureClass;
  /** Redacted description / what the response carried (`code issued`, `iss missing`). */
  description?: string;
}

/** A security finding of a probe (issue 10). */
export interface Finding {
  /** Probe id, e.g. `P1`, `iss-missing`. */
  probe: string;
  title: string;
  severity: Severity;
  /** The correct answer (PKCE.md catalogue). */
  expected: string;
  /** What the IdP did instead. */
  observed: string;
  evidence: ProbeEvidence[];
  /** Under load: how many runs of the probe found it (evidence is the first one's). */
  occurrences?: number;
}

/** One probe's outcome (JUnit: one test case each). */
export interface ProbeOutcome {
  probe: string;
  title: string;
  severity: Severity;
  /** `pass`: the correct answer; `finding`: see findings[]; `skipped`/`inconclusive`: see reason. */
  status: 'pass' | 'finding' | 'skipped' | 'inconclusive';
  reason?: string;
  durationMs: number;
  evidence: ProbeEvidence[];
  /** Under load: how many times the probe ran (status is the worst seen). */
  runs?: number;
}

/** One PKCE metric (M1–M8) with its target. */
export interface PkceMetric {
  id: 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'M6' | 'M7' | 'M8';
  name: string;
  /** The value (rates 0..1, latency ms, counts); null when there was nothing to measure. */
  value: number | null;
  unit: 'ratio' | 'ms' | 'count';
  /** The target in words, e.g. `>= 99.9%`. */
  target: string;
  /** null when there was nothing to measure. */
  ok: boolean | null;
  /** How the value was counted (numerator / denominator). */
  detail: string;
}

/** The seed's PKCE metrics (issue 10). */
export interface PkceReport {
  metrics: PkceMetric[];
  /** M3 by failure class. */
  pkceFailures: Partial<Record<FailureClass, number>>;
  /** M6 inputs: challenge methods sent and accepted (codes issued) by method. */
  challengeMethods: { sent: Record<string, number>; accepted: Record<string, number> };
}

/** The whole report. */
export interface Report {
  schema: 'tokenstorm/report@1';
  runId: string;
  scenario: { name: string; file: string | null; mode: 'flow' | 'token' | 'refresh' | 'client_credentials'; model: 'open' | 'closed'; description?: string };
  startedAt: string;
  durationMs: number;
  /** True when the run stopped early (SIGINT, crash); the report covers what was recorded. */
  partial: boolean;
  target: { kind: ReportTargetKind; issuer: string; clientId: string; faults: 'none' | 'embedded' | 'toxiproxy' };
  /** `warmupMs`: the first stage is a warmup (phase `warmup`), left out of the totals and thresholds. */
  load: {
    model: 'open' | 'closed';
    warmupMs?: number;
    stages: Array<{ durationMs: number; targetRatePerSec?: number; vus?: number }>;
    /** The capacity search's settings, when the run searched (`stages` is then empty). */
    search?: { startRatePerSec: number; growth: number; stepDurationMs: number; settleMs: number; minSamples: number; resolutionPct: number; maxRatePerSec: number };
  };
  /** `unfinished`: started but still running when the report was closed (after Ctrl-C's grace). */
  flows: { started: number; completed: number; failed: number; dropped: number; late: number; unfinished?: number };
  /** The scenario's `expectFailures` (game days) and how often each was seen. */
  expectedFailures?: Array<{ failureClass: FailureClass; count: number }>;
  endpoints: Partial<Record<EndpointClass, EndpointReport>>;
  failures: Partial<Record<FailureClass, number>>;
  failureEvidence: FailureEvidence[];
  /** Failed flows with their trace ids, a few per class (issue 12). */
  failureSamples?: FailureSample[];
  phases: PhaseReport[];
  series: SeriesPoint[];
  thresholds: ThresholdResult[];
  /** Run-level checks; a failed one fails the run like a threshold. Absent in older reports. */
  checks?: RunCheck[];
  slo?: { p95Ms?: number; errorRate?: number; endpoint?: EndpointClass };
  faults?: FaultOutcome[];
  knee?: KneeReport;
  regressions?: RegressionCheck[];
  harness: HarnessReport;
  /** Security findings of the probes (`tokenstorm probe`, probe mixes under load). */
  findings?: Finding[];
  /** Every probe that ran, with its status (findings[] holds the details of `finding`). */
  probes?: ProbeOutcome[];
  /** Findings at or above this severity fail the run (exit 4); default high. */
  findingsFailOn?: Severity;
  /** PKCE metrics M1–M8. */
  pkce?: PkceReport;
  /** Set when this run was one execution segment of N (`run --segment i/N`). */
  segment?: SegmentRef;
  /** Set on a merged or imported report: one entry per part, each with its own harness self-check. */
  segments?: SegmentPart[];
  /** Where the data came from when it was not a tokenstorm run (`import k6`). */
  source?: { kind: 'k6'; files: string[]; points: number; skippedLines: number };
}

/** Segment `index` (0-based) of `count` equal execution segments. */
export interface SegmentRef {
  index: number;
  count: number;
}

/** One part of a merged (or imported multi-runner) report. */
export interface SegmentPart {
  runId: string;
  startedAt: string;
  durationMs: number;
  segment?: SegmentRef;
  partial: boolean;
  flows: Report['flows'];
  /** Game-day outcomes as the part measured them (TTD/TTR need one timeline, so they are not re-derived). */
  faults?: FaultOutcome[];
  harness: HarnessReport;
}

/** Current schema id. */
export const REPORT_SCHEMA = 'tokenstorm/report@1' as const;
