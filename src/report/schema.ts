/**
 * report.json, schema `tokenstorm/report@1`. Field names are a public interface (CI scripts and
 * `tokenstorm compare` read them): add fields, never rename or remove. All times in ms unless the
 * name says otherwise.
 */

/** Endpoint classes timed separately (DESIGN.md "Measurement rules"). `flow` is the whole flow. */
export const ENDPOINT_CLASSES = ['authorize', 'login', 'consent', 'callback', 'token', 'refresh', 'flow'] as const;
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
  'rate_limited',
  'server_error',
  'timeout_connect',
  'timeout_response',
  'connection_reset',
  'connection_refused',
  'bad_response',
  'clock_skew',
  'other',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Percentiles of one distribution, in ms. */
export interface LatencySummary {
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
  /** True when the harness, not the target, was likely the bottleneck. */
  bottleneck: boolean;
  reasons: string[];
  verifierPool: { workers: number; taken: number; waits: number };
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

/** The whole report. */
export interface Report {
  schema: 'tokenstorm/report@1';
  runId: string;
  scenario: { name: string; file: string | null; mode: 'flow' | 'token'; model: 'open' | 'closed'; description?: string };
  startedAt: string;
  durationMs: number;
  /** True when the run stopped early (SIGINT, crash); the report covers what was recorded. */
  partial: boolean;
  target: { kind: ReportTargetKind; issuer: string; clientId: string; faults: 'none' | 'embedded' | 'toxiproxy' };
  load: {
    model: 'open' | 'closed';
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
}

/** Current schema id. */
export const REPORT_SCHEMA = 'tokenstorm/report@1' as const;
