/**
 * The measured window of a run: the workload prepares (token mode banks codes), then the recorder,
 * the harness monitor, the fault timeline and the executor run together until the load ends, the
 * caller aborts (Ctrl-C) or the target is lost; then everything winds down in order — faults
 * removed first, so the IdP never stays skewed or down — and the numbers are handed back.
 */
import { performance } from 'node:perf_hooks';
import type { FaultActuator } from '../chaos/actuators/types.ts';
import { startTimeline, type TimelineError } from '../chaos/timeline.ts';
import { TokenstormError } from '../errors.ts';
import type { HttpClient } from '../flow/http.ts';
import type { FlowObserver } from '../flow/pkce-flow.ts';
import { primeHarness } from '../flow/prime.ts';
import type { FlowTarget } from '../flow/target.ts';
import { latencyGrowth, latencyRiseMs } from '../metrics/bottleneck.ts';
import { startHarnessMonitor } from '../metrics/harness-monitor.ts';
import { LivenessWatch } from '../metrics/liveness.ts';
import { Recorder, type RecorderResult } from '../metrics/recorder.ts';
import type { RecorderListener } from '../metrics/recorder-listener.ts';
import type { VerifierPool } from '../pkce/pool.ts';
import type { Finding, HarnessReport, ProbeOutcome } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';
import { flowContextFor } from '../target/flow-context.ts';
import type { Target } from '../target/types.ts';
import { systemClock } from '../load/clock.ts';
import { driveLoad, InFlight } from '../load/drive.ts';
import type { Segment } from '../load/segment.ts';
import type { ClientMix } from '../load/client-mix.ts';
import { driveSearch, type SearchOutcome } from '../load/search-executor.ts';
import { createWorkload } from '../load/workloads/registry.ts';
import { type ProbeMixRun, startProbeMix } from './probe-mix.ts';
import type { Workload } from '../load/workloads/types.ts';

/** Name of the phase a scenario's `load.warmup` is reported as. */
export const WARMUP_PHASE = 'warmup';

/** Live numbers for progress output. */
export interface LoadProgress {
  update(s: { elapsedMs: number; ratePerSec: number; inFlight: number; p95Ms: number; errors: number; phase: string }): void;
  stop(): void;
}

/** What the measured window needs from the stages opened before it. */
export interface LoadSessionInput {
  plan: RunPlan;
  target: Target;
  flowTarget: FlowTarget;
  http: HttpClient;
  pool: VerifierPool;
  /** Presigned assertions and DPoP proofs, for the harness report. */
  signing?: { stats(): { taken: number; waits: number; stale: number } };
  actuator: FaultActuator;
  /** Buggy-client share set by `clientMix` faults (flow mode). */
  clientMix?: ClientMix | undefined;
  /** Takes ownership of the workload (disposed with the run's resources). */
  adopt: (w: Workload) => Workload;
  signal?: AbortSignal;
  /** Live observability (Prometheus metrics, OTLP spans) fed by the measured recorder. */
  listener?: RecorderListener | null;
  /** Run only this execution segment of the arrival schedule (`run --segment i/N`). */
  segment?: Segment;
  progress?: LoadProgress | null;
  onFlow?: FlowObserver;
  onSecret?: (value: string) => void;
}

/** What the window measured. `result` is null when it failed before the measured recorder existed. */
export interface Measured {
  result: RecorderResult | null;
  harness: HarnessReport | null;
  crash: unknown;
  partial: boolean;
  interrupted: boolean;
  durationMs: number;
  faultTimings: Array<{ appliedAtMs: number | null; removedAtMs: number | null }> | null;
  faultErrors: TimelineError[];
  /** Probes mixed into the load, when the scenario asked for them. */
  probes?: { outcomes: ProbeOutcome[]; findings: Finding[] };
  /** `plain` challenges buggy clients sent (and got a code for), for M6. */
  plainChallenges?: { sent: number; accepted: number };
  /** The capacity search's steps and answer (plan.search); null for a fixed shape or when it never started. */
  search: SearchOutcome | null;
}

/**
 * Runs the measured window.
 *
 * @example
 * const measured = await measureLoad({ plan, target, flowTarget, http, pool, actuator, adopt: (w) => stack.use(w) });
 */
export async function measureLoad(input: LoadSessionInput): Promise<Measured> {
  const { plan, target, pool } = input;
  const inFlight = new InFlight();
  let t0 = performance.now();
  const prepRecorder = new Recorder({ now: () => performance.now() - t0 });
  const ctx = flowContextFor(target, { http: input.http, recorder: prepRecorder, pkce: pool, flowTarget: input.flowTarget, onSecret: input.onSecret, onFlow: input.onFlow });
  for (const secret of target.clientAuth.secrets()) input.onSecret?.(secret);
  const workload = input.adopt(
    createWorkload({ plan, ctx, ...(input.onFlow ? { onFlow: input.onFlow } : {}), ...(input.clientMix ? { clientMix: input.clientMix } : {}) }),
  );
  const abort = new AbortController();
  let crash: unknown = null;
  let interrupted = false;
  const stopWith = (err: unknown): void => {
    crash ??= err;
    abort.abort();
  };
  const onOuterAbort = (): void => {
    interrupted = true;
    abort.abort();
  };
  input.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (input.signal?.aborted) onOuterAbort();
  void target.lost.then((reason) => stopWith(new TokenstormError('ERR_TARGET_UNREACHABLE', reason)));

  let recorder: Recorder | null = null;
  let monitor: ReturnType<typeof startHarnessMonitor> | null = null;
  let timeline: ReturnType<typeof startTimeline> | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let warmupTimer: NodeJS.Timeout | null = null;
  let targetCpu0: number | null = null;
  let probeMix: ProbeMixRun | null = null;
  let endedAt = performance.now();
  let search: SearchOutcome | null = null;
  let wire0: ReturnType<HttpClient['wireBytes']> | null = null;
  let primedFlows: number | null = null;
  let signing0: ReturnType<NonNullable<LoadSessionInput['signing']>['stats']> | null = null;
  try {
    await workload.prepare(abort.signal);
    // Token and refresh modes already run flows before the clock (banking codes, logging users in).
    if (plan.mode === 'flow') primedFlows = plan.primeFlows > 0 ? await primeHarness(ctx, plan.primeFlows, abort.signal) : 0;
    // A failure before the clock is an error; an interrupt during the priming still gets its
    // partial report, with the clock started and stopped at once. (Token and refresh modes' own
    // preparation still ends an interrupted run with ERR_INTERRUPTED and no report.)
    if (abort.signal.aborted && !interrupted) throw crash ?? new TokenstormError('ERR_INTERRUPTED', 'interrupted before the load started');
    monitor = startHarnessMonitor();
    targetCpu0 = await target.cpuMicros();
    wire0 = input.http.wireBytes();
    signing0 = input.signing?.stats() ?? null;
    t0 = performance.now();
    // Everything recorded so far (code banking, priming) belongs before the run: the measured recorder starts afresh.
    const warmupMs = plan.warmupMs ?? 0;
    const live = new Recorder({
      now: () => performance.now() - t0,
      inFlight: () => inFlight.samplePeak(),
      liveEndpoint: workload.liveEndpoint,
      // The warmup is its own phase, left out of the totals (and so of the thresholds).
      ...(warmupMs > 0 ? { initialPhase: WARMUP_PHASE, excludedPhases: [WARMUP_PHASE] } : {}),
    });
    if (warmupMs > 0) {
      // Set before the fault timeline's timers, so a fault at the warmup's end begins its phase after this one.
      warmupTimer = setTimeout(() => live.beginPhase('baseline', []), warmupMs);
      warmupTimer.unref();
    }
    recorder = live;
    ctx.recorder = live;
    input.http.onTiming = (endpoint, timing) => live.timing(endpoint, timing);
    live.listen(input.listener ?? null);
    // A search step and a fault phase can be active at once: the recorder phase names both.
    const phase = { step: '', fault: '', faults: [] as string[] };
    const openPhase = (change: Partial<typeof phase>): void => {
      Object.assign(phase, change);
      live.beginPhase([phase.step, phase.fault].filter(Boolean).join(' · ') || 'baseline', phase.faults);
    };
    const tl = startTimeline(plan.faults, input.actuator, (fault, faults) => openPhase({ fault, faults }), systemClock, t0);
    timeline = tl;
    const liveness = new LivenessWatch();
    let seen = 0;
    ticker = setInterval(() => {
      live.tick();
      const closed = live.closedSeconds;
      for (; seen < closed.length; seen++) liveness.observe(closed[seen]!, tl.activeCount() > 0);
      if (liveness.dead) stopWith(new TokenstormError('ERR_TARGET_UNREACHABLE', liveness.reason, { hint: 'is the IdP still running?' }));
      input.progress?.update({ ...live.live(), inFlight: inFlight.count });
    }, 1000);
    ticker.unref();
    probeMix = startProbeMix(plan, ctx, target, abort.signal);
    if (plan.search) {
      const env = { nowMs: () => performance.now() - t0, onStep: (step: string) => openPhase({ step }) };
      search = await driveSearch(plan, workload, live, inFlight, abort.signal, env);
    } else await driveLoad(plan, workload, live, inFlight, abort.signal, input.segment);
    await probeMix?.done;
  } catch (err) {
    crash ??= err;
  } finally {
    input.signal?.removeEventListener('abort', onOuterAbort);
  }

  // The measurement window ends with the load: summarising and cleaning up are not the run's cost.
  monitor?.stop();
  endedAt = performance.now();
  workload.windDown();
  if (ticker) clearInterval(ticker);
  if (warmupTimer) clearTimeout(warmupTimer);
  input.progress?.stop();
  if (timeline) await timeline.stop().catch(() => undefined);
  const targetCpu1 = targetCpu0 === null ? null : await target.cpuMicros();
  const result = recorder?.finish() ?? null;
  input.http.onTiming = undefined;
  const poolStats = pool.stats();
  const harness =
    result && monitor
      ? monitor.finish({
          completedFlows: result.flows.completed,
          droppedFlows: result.flows.dropped,
          lateFlows: result.flows.late,
          startedFlows: result.flows.started,
          idpCpuMicros: targetCpu0 !== null && targetCpu1 !== null ? targetCpu1 - targetCpu0 : null,
          verifierPool: { workers: poolStats.workers, taken: poolStats.taken, waits: poolStats.waits },
          queuedShare: recorder?.queuedShare ?? 0,
          latencyGrowth: latencyGrowth(result.series, workload.liveEndpoint),
          latencyRiseMs: latencyRiseMs(result.series, workload.liveEndpoint),
        })
      : null;
  if (harness && primedFlows !== null) harness.primedFlows = primedFlows;
  if (harness && wire0) {
    const wire1 = input.http.wireBytes();
    harness.wire = {
      sentBytes: wire1.sentBytes - wire0.sentBytes,
      receivedBytes: wire1.receivedBytes - wire0.receivedBytes,
      connections: wire1.connections - wire0.connections,
    };
  }
  // The measured window's signing only: the priming's (and the code bank's) came before it.
  const s1 = input.signing?.stats();
  const signingStats = s1 && signing0 ? { taken: s1.taken - signing0.taken, waits: s1.waits - signing0.waits, stale: s1.stale - signing0.stale } : s1;
  if (harness && signingStats && signingStats.taken > 0) harness.signing = signingStats;
  return {
    result,
    harness,
    crash,
    partial: crash !== null || interrupted,
    interrupted,
    durationMs: Math.round(endedAt - t0),
    faultTimings: timeline ? timeline.timings : null,
    faultErrors: timeline ? [...timeline.errors] : [],
    ...(probeMix ? { probes: probeMix.summary() } : {}),
    ...(input.clientMix && input.clientMix.plain.sent > 0 ? { plainChallenges: { ...input.clientMix.plain } } : {}),
    search,
  };
}
