/**
 * One run, as the data flow of DESIGN.md: open the target → open the fault layer → start the
 * workload → run the fault timeline → finish the recorder → assemble and write the report. Each
 * stage lives in its own folder; this file only wires them, and resources close in reverse order of
 * opening through an AsyncDisposableStack. Whatever happens — Ctrl-C, a crash, a target that dies
 * mid-run — what was recorded is written as a (partial) report.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveActuators } from './chaos/actuators/registry.ts';
import { FaultLayer } from './chaos/fault-layer.ts';
import { TokenstormError } from './errors.ts';
import { HttpClient } from './flow/http.ts';
import { discover } from './flow/target.ts';
import type { EmbeddedIdp } from './idp/embedded-idp.ts';
import { ClientMix } from './load/client-mix.ts';
import { peakRatePerSec } from './load/arrivals.ts';
import { createVerifierPool, workersForRate } from './pkce/pool.ts';
import { SigningPool } from './pkce/presigned.ts';
import { assembleReport } from './report/assemble.ts';
import { loadReport } from './report/compare.ts';
import type { Report } from './report/schema.ts';
import { startObservability } from './export/observability.ts';
import { SecretSample } from './report/secret-scan.ts';
import { writeReportFilesScanned } from './report/write.ts';
import type { TimelineError } from './chaos/timeline.ts';
import type { FlowObserver } from './flow/pkce-flow.ts';
import { type LoadProgress, type Measured, measureLoad } from './run/measure.ts';
import type { Segment } from './load/segment.ts';
import type { RecorderListener } from './metrics/recorder-listener.ts';
import type { RunPlan } from './scenario/types.ts';
import { targetKindFor } from './target/registry.ts';
import type { Target } from './target/types.ts';

/** Live numbers for progress output. */
export type ProgressSink = LoadProgress;

/** Options for {@link runPlan}; CLI flags map onto these. */
export interface RunOptions {
  /** Parent folder of reports/<run-id>/. Default 'reports'. */
  outDir?: string;
  /** Remote issuer (overrides the scenario's). */
  issuer?: string | null;
  /** Real Toxiproxy URL; default: the embedded fault server. */
  toxiproxyUrl?: string | null;
  /** Do not route through fault proxies (no network faults possible). */
  direct?: boolean;
  /** Thresholds added to the scenario's. */
  thresholds?: string[];
  /** Baseline report.json to compare against. */
  baselineFile?: string | null;
  /** An already loaded baseline (the CLI loads it before the run so a bad file costs no run). */
  baseline?: Report | null;
  tolerancePct?: number;
  /** Abort to stop early (SIGINT); the report is then partial. */
  signal?: AbortSignal;
  progress?: ProgressSink | null;
  /** Verifier pool workers (default: none up to 2000 flows/s, else 1; on small machines the IdP needs the other cores). */
  workers?: number;
  runId?: string;
  /** Use this already running embedded IdP instead of starting one (it is not stopped at the end). */
  embeddedIdp?: EmbeddedIdp;
  /** Observer: one call per ended flow (token mode: per exchange), clock = performance.now(). */
  onFlow?: FlowObserver;
  /** Test hook: every secret handled (verifiers, codes, tokens) so tests can scan outputs. */
  onSecret?: (value: string) => void;
  /** Run only execution segment `index` of `count` (merge the parts with `tokenstorm merge`). */
  segment?: Segment;
  /** Serve Prometheus metrics on 127.0.0.1:metricsPort during the run (0 = any free port). */
  metricsPort?: number | null;
  /** Export one span per request to this OTLP/HTTP traces URL (loopback). */
  otlpUrl?: string | null;
}

/** What a run produced. */
export interface RunOutcome {
  report: Report;
  dir: string;
  files: { json: string; html: string; junit: string };
  /** 0 all thresholds, checks and regression gates passed; 1 otherwise; 4 security findings at or above the gate (probes). */
  exitCode: 0 | 1 | 4;
  /** Stopped by the caller's signal (Ctrl-C). */
  interrupted: boolean;
  /** The error that stopped the run after flows had started (the report is partial); its exit code wins. */
  error: unknown;
  timelineErrors: TimelineError[];
}

/** A run id: sortable time plus a little randomness. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs a validated plan and writes reports/<run-id>/report.json, report.html and junit.xml.
 *
 * @example
 * const outcome = await runPlan(await loadScenario('smoke'), { outDir: 'reports' });
 * process.exitCode = outcome.exitCode;
 */
export async function runPlan(plan: RunPlan, options: RunOptions = {}): Promise<RunOutcome> {
  const runId = options.runId ?? newRunId();
  const targetOptions = { issuer: options.issuer ?? null, direct: options.direct === true, embeddedIdp: options.embeddedIdp, signal: options.signal };
  // Usage problems (non-loopback issuer, missing client) surface before anything starts.
  const targetKind = targetKindFor(plan, targetOptions);
  const baseline = options.baseline ?? (options.baselineFile ? await loadReport(options.baselineFile) : null);
  const startedAt = new Date();
  // Bound before any load (a taken port is a usage error), disposed after the report: one last scrape.
  await using obs = await startObservability({
    metricsPort: options.metricsPort,
    otlpUrl: options.otlpUrl,
    info: { scenario: plan.name, mode: plan.mode, model: plan.model, runId, slo: plan.slo },
  });
  // M7: a bounded sample of every secret handled, searched for in the written outputs.
  const secrets = new SecretSample(1000);
  const onSecret = (value: string): void => {
    secrets.add(value);
    options.onSecret?.(value);
  };
  const m = await measure(plan, { ...options, onSecret, listener: obs.listener }, runId, (signing) => targetKind.open(plan, { ...targetOptions, signing }));
  // Failing before anything ran (bad target, fault server, a fault no actuator can apply) is an error, not a report.
  if (!m.result || !m.harness || (m.crash && m.result.flows.started === 0)) throw m.crash ?? new TokenstormError('ERR_INTERNAL', 'run ended without a recorder');

  const { report, failed, insecure } = assembleReport({
    plan,
    runId,
    startedAt,
    durationMs: m.durationMs,
    partial: m.partial,
    target: { kind: targetKind.name, issuer: m.issuer, clientId: m.clientId, faults: options.direct ? 'none' : options.toxiproxyUrl ? 'toxiproxy' : 'embedded' },
    result: m.result,
    harness: m.harness,
    faultTimings: m.faultTimings,
    faultErrors: m.faultErrors,
    crash: m.crash,
    search: m.search,
    extraThresholds: options.thresholds ?? [],
    baseline,
    tolerancePct: options.tolerancePct ?? 10,
    ...(options.segment ? { segment: options.segment } : {}),
    ...(m.probes ? { probes: m.probes } : {}),
    ...(m.plainChallenges ? { plainChallenges: m.plainChallenges } : {}),
  });
  const dir = join(options.outDir ?? 'reports', runId);
  await mkdir(dir, { recursive: true });
  const { files, leaked } = await writeReportFilesScanned(report, dir, secrets.values());
  return { report, dir, files, exitCode: insecure ? 4 : failed || leaked > 0 ? 1 : 0, interrupted: m.interrupted, error: m.crash, timelineErrors: m.faultErrors };
}

/** Opens every stage, runs the measured window and closes everything again, in reverse order, before returning. */
async function measure(plan: RunPlan, options: RunOptions & { listener: RecorderListener | null }, runId: string, openTarget: (signing: SigningPool) => Promise<Target>): Promise<Measured & { issuer: string; clientId: string }> {
  await using stack = new AsyncDisposableStack();
  const opened = { issuer: '', clientId: '' };
  try {
    // Starts no thread until a client assertion or DPoP proof is wanted.
    const signing = stack.use(new SigningPool());
    const target = stack.use(await openTarget(signing));
    Object.assign(opened, { issuer: target.issuer, clientId: target.client.clientId });
    const faults = options.direct ? null : await FaultLayer.forIssuer(options.toxiproxyUrl ?? null, target.issuer, runId);
    if (faults) stack.use(faults.layer);
    const clientMix = plan.mode === 'flow' ? new ClientMix() : undefined;
    const actuator = resolveActuators(plan.faults, { faultLayer: faults?.layer ?? null, target, ...(clientMix ? { clientMix } : {}) });
    const pool = createVerifierPool({ workers: options.workers ?? workersForRate(peakRatePerSec(plan)) });
    stack.defer(() => pool.close());
    await pool.ready();
    // Disposed after HTTP is closed (the stack unwinds in reverse): a code bank's in-flight logins
    // then fail fast instead of running into their timeouts.
    const late = stack.use(new AsyncDisposableStack());
    const { connections, requestTimeoutMs, connectTimeoutMs, maxBodyBytes, maxPageBytes } = plan;
    const http = stack.use(new HttpClient({ connections, requestTimeoutMs, connectTimeoutMs, maxBodyBytes, maxPageBytes, ...(faults ? { routes: faults.routes } : {}) }));
    const flowTarget = await discover(http, target.issuer, target.client, options.signal);
    const measured = await measureLoad({ ...options, plan, target, flowTarget, http, pool, signing, actuator, clientMix, adopt: (w) => late.use(w) });
    return { ...measured, ...opened };
  } catch (err) {
    // Only failures before the measured window get here; the window reports its own.
    return { result: null, harness: null, crash: err, partial: true, interrupted: false, durationMs: 0, faultTimings: null, faultErrors: [], search: null, ...opened };
  }
}
