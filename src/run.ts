/**
 * One run, end to end (DESIGN.md "Data flow"): target (embedded IdP or remote issuer) → fault
 * layer (a proxy per route) → verifier pool → executor (open or closed model, flow or token mode)
 * → recorder → fault timeline → report. Whatever happens — SIGINT, a crash, an unreachable
 * target mid-run — what was recorded is written as a (partial) report.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaultLayer } from './chaos/fault-layer.ts';
import { faultOutcomes } from './chaos/gameday.ts';
import { assertLoopbackUrl } from './chaos/loopback.ts';
import { startTimeline, type TimelineError } from './chaos/timeline.ts';
import { TokenstormError } from './errors.ts';
import { HttpClient, type Route, type RouteTarget } from './flow/http.ts';
import { oidcProviderLogin } from './flow/login-driver.ts';
import { exchangeCode, type FlowContext, type FlowObserver, type ObtainedCode, obtainCode, runFlow } from './flow/pkce-flow.ts';
import { FlowSession } from './flow/session.ts';
import { discover } from './flow/target.ts';
import { type EmbeddedIdp, startEmbeddedIdp } from './idp/embedded-idp.ts';
import { ArrivalSchedule } from './load/arrivals.ts';
import { runClosed } from './load/closed-executor.ts';
import { CodeBank } from './load/code-bank.ts';
import { systemClock } from './load/clock.ts';
import { runOpen } from './load/open-executor.ts';
import { startHarnessMonitor } from './metrics/harness-monitor.ts';
import { Recorder } from './metrics/recorder.ts';
import { redactDetail } from './metrics/redact.ts';
import { createVerifierPool, type VerifierPool } from './pkce/pool.ts';
import { startObservability } from './export/observability.ts';
import { withBurnRates } from './report/burn-rate.ts';
import { compareReports, loadReport } from './report/compare.ts';
import { findKnee } from './report/knee.ts';
import { REPORT_SCHEMA, type Report } from './report/schema.ts';
import { evaluateThresholds } from './report/thresholds.ts';
import { writeReportFiles } from './report/write.ts';
import type { RunPlan } from './scenario/types.ts';

/** Live numbers for progress output. */
export interface ProgressSink {
  update(s: { elapsedMs: number; ratePerSec: number; inFlight: number; p95Ms: number; errors: number; phase: string }): void;
  stop(): void;
}

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
  /** Verifier pool workers (default 1: on small machines the IdP needs the other cores). */
  workers?: number;
  runId?: string;
  /** Use this already running embedded IdP instead of starting one (it is not stopped at the end). */
  embeddedIdp?: EmbeddedIdp;
  /** Observer: one call per ended flow (token mode: per exchange), clock = performance.now(). */
  onFlow?: FlowObserver;
  /** Test hook: every secret handled (verifiers, codes, tokens) so tests can scan outputs. */
  onSecret?: (value: string) => void;
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
  /** 0 all thresholds and regression checks passed, 1 otherwise. */
  exitCode: 0 | 1;
  /** Stopped by the caller's signal (Ctrl-C). */
  interrupted: boolean;
  /** The error that stopped the run after flows had started; the report is partial. */
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
  const issuerOverride = options.issuer ?? plan.target.issuer;
  if (issuerOverride) assertLoopbackUrl(issuerOverride, '--issuer');
  const networkFaults = plan.faults.filter((f) => f.toxic || f.down);
  if (options.direct && networkFaults.length > 0) {
    throw new TokenstormError('ERR_USAGE', `scenario ${plan.name} has network faults but --direct turns the fault proxies off`);
  }
  if (issuerOverride && plan.faults.some((f) => f.idpMode)) {
    throw new TokenstormError('ERR_USAGE', 'idpMode faults need the embedded IdP (drop --issuer / target.issuer)');
  }
  if (issuerOverride && !options.direct && new URL(issuerOverride).protocol === 'https:') {
    throw new TokenstormError('ERR_USAGE', 'an https issuer cannot go through the fault proxies (TLS names would not match)', {
      hint: 'add --direct, or use the IdP over http on 127.0.0.1',
    });
  }
  const baseline = options.baseline ?? (options.baselineFile ? await loadReport(options.baselineFile) : null);
  const startedAt = new Date();
  const cleanups: Array<() => Promise<unknown>> = [];
  let idp: EmbeddedIdp | null = null;
  let faultLayer: FaultLayer | null = null;
  let pool: VerifierPool | null = null;
  let http: HttpClient | null = null;
  let recorder: Recorder | null = null;
  let monitor: ReturnType<typeof startHarnessMonitor> | null = null;
  let timeline: ReturnType<typeof startTimeline> | null = null;
  let partial = false;
  let interrupted = false;
  let endedAt: number | null = null;
  let stopBank: (() => Promise<void>) | null = null;
  let harnessSkewMs = 0;
  let inFlight = 0;
  let t0 = performance.now();
  let idpCpu0: number | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let crash: unknown = null;

  try {
    // Target.
    let issuer: string;
    let clientId = plan.target.clientId;
    let redirectUri = plan.target.redirectUri;
    if (issuerOverride) {
      issuer = issuerOverride.replace(/\/$/, '');
      if (!clientId || !redirectUri) {
        throw new TokenstormError('ERR_SCENARIO_INVALID', 'a remote issuer needs target.clientId and target.redirectUri in the scenario');
      }
    } else {
      if (options.embeddedIdp) {
        idp = options.embeddedIdp;
      } else {
        idp = await startEmbeddedIdp({ codeTtlSec: plan.target.codeTtlSec });
        const started = idp;
        cleanups.push(() => started.stop());
      }
      issuer = idp.issuer;
      clientId ??= idp.clientId;
      redirectUri ??= idp.redirectUri;
    }
    const issuerUrl = new URL(issuer);

    // Fault layer: one proxy per route, so a fault can hit the token endpoint alone.
    let routes: Partial<Record<Route, RouteTarget>> | undefined;
    if (!options.direct) {
      faultLayer = await FaultLayer.open(options.toxiproxyUrl ?? null);
      const layer = faultLayer;
      cleanups.push(() => layer.close());
      const upstream = { host: issuerUrl.hostname === 'localhost' ? '127.0.0.1' : issuerUrl.hostname, port: Number(issuerUrl.port || 80) };
      routes = await faultLayer.createRoutes(upstream, runId);
    }

    pool = createVerifierPool({ workers: options.workers ?? 1 });
    const thePool = pool;
    cleanups.push(() => thePool.close());
    await pool.ready();

    http = new HttpClient({
      connections: plan.connections,
      requestTimeoutMs: plan.requestTimeoutMs,
      connectTimeoutMs: plan.connectTimeoutMs,
      ...(routes ? { routes } : {}),
    });
    const theHttp = http;
    cleanups.push(() => theHttp.close());

    const target = await discover(http, issuer, {
      clientId: clientId!,
      redirectUri: redirectUri!,
      scope: plan.target.scope,
      username: plan.target.username,
      password: plan.target.password,
    });

    const newRecorder = (): Recorder =>
      new Recorder({ now: () => performance.now() - t0, inFlight: () => inFlight, liveEndpoint: plan.mode === 'token' ? 'token' : 'flow' });
    recorder = newRecorder();
    const ctx: FlowContext = {
      http,
      recorder,
      pkce: pool,
      target,
      login: oidcProviderLogin,
      clockSkewMs: () => harnessSkewMs,
      idTokenToleranceSec: 5,
      verifySignatureEvery: 16,
      ...(options.onSecret ? { onSecret: options.onSecret } : {}),
      ...(options.onFlow ? { onFlow: options.onFlow } : {}),
    };

    // Token mode: bank codes before the clock starts, so the first exchanges are not starved.
    let bank: CodeBank<ObtainedCode> | null = null;
    if (plan.mode === 'token') {
      bank = new CodeBank<ObtainedCode>({
        clock: systemClock,
        size: plan.codeBank.size,
        maxAgeMs: plan.codeBank.maxAgeMs,
        producers: plan.codeBank.producers,
        produce: () => obtainCode(ctx, new FlowSession(ctx.http, ctx.recorder, ctx.onSecret)),
      });
      const theBank = bank;
      // Stopped first at wind-down (no new logins), awaited last, after HTTP is closed, so that
      // in-flight productions fail fast instead of running into their timeouts.
      stopBank = () => theBank.stop();
      cleanups.unshift(() => theBank.stop());
      bank.start();
      await bank.filled(30_000, options.signal);
      if (options.signal?.aborted) throw new TokenstormError('ERR_INTERRUPTED', 'interrupted before the load started');
    }

    monitor = startHarnessMonitor();
    if (idp) {
      const c = await idp.cpuUsage();
      idpCpu0 = c.userMicros + c.systemMicros;
    }
    t0 = performance.now();
    // Everything recorded so far (code banking) belongs before the run: start the recorder afresh.
    recorder = newRecorder();
    ctx.recorder = recorder;
    const live = recorder;
    // Live observability (issue 12): /metrics and OTLP spans fed by the recorder; disposed after finish().
    if (options.metricsPort != null || options.otlpUrl) {
      const obs = await startObservability({ metricsPort: options.metricsPort, otlpUrl: options.otlpUrl, info: { scenario: plan.name, mode: plan.mode, model: plan.model, runId, slo: plan.slo } });
      cleanups.push(async () => obs[Symbol.asyncDispose]());
      live.listen(obs.listener);
    }

    const theIdp = idp;
    const theLayer = faultLayer;
    timeline = startTimeline(
      plan.faults,
      {
        async apply(fault, index) {
          if (fault.toxic || fault.down) return theLayer!.apply(fault, index);
          if (fault.clockSkewMs !== undefined) {
            const skew = fault.clockSkewMs;
            if (theIdp) {
              await theIdp.setClockOffset(skew);
              return { undo: () => theIdp.setClockOffset(0) };
            }
            // Remote IdP: its clock cannot be moved, so the harness's moves the other way.
            harnessSkewMs = -skew;
            return {
              undo: async () => {
                harnessSkewMs = 0;
              },
            };
          }
          if (fault.idpMode === 'reject-s256' && theIdp) {
            await theIdp.setMode({ rejectS256: true });
            return { undo: () => theIdp.setMode({}) };
          }
          throw new TokenstormError('ERR_INTERNAL', `fault ${fault.name} has nothing to apply`);
        },
      },
      (name, faults) => live.beginPhase(name, faults),
      systemClock,
      t0,
    );

    ticker = setInterval(() => {
      live.tick();
      const v = live.live();
      options.progress?.update({ ...v, inFlight });
    }, 1000);
    ticker.unref();

    const abort = new AbortController();
    const onOuterAbort = (): void => {
      partial = true;
      interrupted = true;
      abort.abort();
    };
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (options.signal?.aborted) onOuterAbort();

    const tracked = async (fn: () => Promise<unknown>): Promise<void> => {
      inFlight++;
      try {
        await fn();
      } catch (err) {
        // A bug in a flow must not kill the run; it is counted as `other` with its message.
        live.failure({ failureClass: 'other', endpoint: 'flow', description: `harness error: ${err instanceof Error ? err.message : String(err)}` });
      } finally {
        inFlight--;
      }
    };

    let work: Promise<unknown>;
    if (plan.model === 'closed') {
      work = runClosed(
        { clock: systemClock, stages: plan.stages, startVus: plan.stages[0]?.vus ?? 1, maxStarts: plan.maxFlows, signal: abort.signal },
        (at) => {
          live.flowStarted(0);
          return tracked(() => runFlow(ctx, at));
        },
      );
    } else {
      const schedule = new ArrivalSchedule(plan.startRatePerSec, plan.stages);
      const theBank = bank;
      work = runOpen(
        {
          clock: systemClock,
          nextArrival: () => schedule.next(),
          maxInFlight: plan.maxInFlight,
          maxStarts: plan.maxFlows,
          durationMs: plan.totalDurationMs,
          signal: abort.signal,
        },
        {
          canStart: theBank ? () => theBank.hasStock() : undefined,
          started: (lateMs) => live.flowStarted(lateMs),
          dropped: () => live.flowDropped(),
          start: (intendedAt) =>
            tracked(async () => {
              if (!theBank) return runFlow(ctx, intendedAt);
              const got = theBank.take();
              if (!got) {
                live.flowEnded(false, (performance.now() - intendedAt) * 1000, 0);
                live.failure({ failureClass: 'other', endpoint: 'token', description: 'code bank had only stale codes' });
                return false;
              }
              const sentAt = performance.now();
              const ok = await exchangeCode(ctx, new FlowSession(ctx.http, live, ctx.onSecret), got, { intendedAt });
              const end = performance.now();
              live.flowEnded(ok, (end - intendedAt) * 1000, (end - sentAt) * 1000);
              options.onFlow?.({ intendedAt, startedAt: sentAt, endedAt: end, ok });
              return ok;
            }),
        },
      );
    }
    // After an abort, in-flight flows get a short grace, then their connections are cut.
    const aborted = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    try {
      await Promise.race([work, aborted.then(() => sleep(2000))]);
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  } catch (err) {
    crash = err;
    partial = true;
  }

  // The measurement window ends with the load: summarising and cleaning up are not the run's cost.
  monitor?.stop();
  endedAt = performance.now();
  void stopBank?.();
  // Wind down: faults removed first (the IdP must not stay skewed or down), then the rest.
  if (ticker) clearInterval(ticker);
  options.progress?.stop();
  const timelineErrors = timeline ? timeline.errors : [];
  if (timeline) await timeline.stop().catch(() => undefined);
  let idpCpuMicros: number | null = null;
  if (idp && idpCpu0 !== null) {
    const c = await idp.cpuUsage().catch(() => null);
    if (c) idpCpuMicros = c.userMicros + c.systemMicros - idpCpu0;
  }
  const result = recorder?.finish() ?? null;
  const poolStats = pool?.stats();
  for (const c of cleanups.reverse()) await c().catch(() => undefined);

  // Failing before anything ran (bad target, fault server) is an error, not a report.
  if (crash && (!result || result.flows.started === 0)) throw crash;
  if (!result || !monitor) throw crash ?? new TokenstormError('ERR_INTERNAL', 'run ended without a recorder');

  const durationMs = Math.round((endedAt ?? performance.now()) - t0);
  const harness = monitor.finish({
    completedFlows: result.flows.completed,
    droppedFlows: result.flows.dropped,
    lateFlows: result.flows.late,
    startedFlows: result.flows.started,
    idpCpuMicros,
    verifierPool: { workers: poolStats?.workers ?? 0, taken: poolStats?.taken ?? 0, waits: poolStats?.waits ?? 0 },
  });
  if (crash) harness.reasons.push(redactDetail(`run stopped by an error: ${crash instanceof Error ? crash.message : String(crash)}`));
  for (const e of timelineErrors) harness.reasons.push(redactDetail(`fault ${e.fault} could not ${e.action}: ${e.message}`));

  const slo = { p95Ms: plan.slo.p95Ms, errorRate: plan.slo.errorRate, endpoint: plan.slo.endpoint };
  const report: Report = {
    schema: REPORT_SCHEMA,
    runId,
    scenario: { name: plan.name, file: plan.file, mode: plan.mode, model: plan.model, description: plan.description },
    startedAt: startedAt.toISOString(),
    durationMs,
    partial,
    target: {
      kind: idp ? 'embedded' : 'remote',
      issuer: idp ? idp.issuer : (issuerOverride ?? ''),
      clientId: plan.target.clientId ?? idp?.clientId ?? '',
      faults: options.direct ? 'none' : options.toxiproxyUrl ? 'toxiproxy' : 'embedded',
    },
    load: {
      model: plan.model,
      stages: plan.stages.map((s) => ({ durationMs: s.durationMs, ...(s.targetRatePerSec !== undefined ? { targetRatePerSec: s.targetRatePerSec } : {}), ...(s.vus !== undefined ? { vus: s.vus } : {}) })),
    },
    flows: { ...result.flows, unfinished: Math.max(0, result.flows.started - result.flows.completed - result.flows.failed) },
    endpoints: result.endpoints,
    failures: result.failures,
    failureEvidence: result.failureEvidence,
    failureSamples: result.failureSamples,
    phases: result.phases,
    series: result.series,
    thresholds: [],
    harness,
  };
  if (slo.p95Ms !== null || slo.errorRate !== null) {
    report.slo = { endpoint: slo.endpoint, ...(slo.p95Ms !== null ? { p95Ms: slo.p95Ms } : {}), ...(slo.errorRate !== null ? { errorRate: slo.errorRate } : {}) };
  }
  withBurnRates(report);
  if (plan.expectFailures.length > 0) {
    report.expectedFailures = plan.expectFailures.map((c) => ({ failureClass: c, count: result.failures[c] ?? 0 }));
  }
  report.thresholds = evaluateThresholds([...plan.thresholds, ...(options.thresholds ?? [])], report);
  if (plan.faults.length > 0 && timeline) report.faults = faultOutcomes(plan.faults, timeline.timings, result.series, slo);
  // A knee needs a rate that changes: several stages, or one ramp from startRatePerSec.
  const ramps = plan.stages.length > 1 || plan.stages[0]?.targetRatePerSec !== plan.startRatePerSec;
  if (ramps && plan.model === 'open' && (slo.p95Ms !== null || slo.errorRate !== null)) report.knee = findKnee(report, slo);
  let gateProblem = false;
  if (baseline) {
    try {
      // In token mode the front-channel endpoints only feed the code bank; the gate is the token endpoint.
      report.regressions = compareReports(baseline, report, {
        tolerancePct: options.tolerancePct ?? 10,
        ...(plan.mode === 'token' ? { endpoints: ['token'] } : {}),
      });
      // As `tokenstorm compare`: a gate that checked nothing must not pass quietly.
      if (report.regressions.every((c) => c.skipped !== undefined)) {
        gateProblem = true;
        harness.reasons.push('baseline comparison checked nothing (too few samples in one of the runs)');
      }
    } catch (err) {
      gateProblem = true;
      harness.reasons.push(redactDetail(`baseline comparison failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  const dir = join(options.outDir ?? 'reports', runId);
  await mkdir(dir, { recursive: true });
  const files = await writeReportFiles(report, dir);
  const failed = gateProblem || report.thresholds.some((t) => !t.ok) || (report.regressions ?? []).some((r) => !r.ok);
  return { report, dir, files, exitCode: failed ? 1 : 0, interrupted, error: crash, timelineErrors };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
