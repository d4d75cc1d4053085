/**
 * The capacity search as an executor: the schedule is decided online, because the next step's
 * rate depends on the last step's result. Each step is a constant open-model arrival rate (the
 * same executor and workload hooks as a fixed run, so coordinated-omission correction and drops
 * work the same), starts on a whole second of the recorder's series, opens its own recorder phase,
 * and is judged on the seconds after its settle time. The decisions themselves are pure
 * (./knee-search.ts); this file only runs steps.
 */
import { TokenstormError } from '../errors.ts';
import { startHarnessMonitor } from '../metrics/harness-monitor.ts';
import { createHistogram, recordUs, summarize } from '../metrics/hdr.ts';
import type { Recorder } from '../metrics/recorder.ts';
import type { KneeStep } from '../report/schema.ts';
import type { RunPlan, SearchPlan } from '../scenario/types.ts';
import { ArrivalSchedule } from './arrivals.ts';
import { systemClock } from './clock.ts';
import { abortedWithGrace, type InFlight, openHooks } from './drive.ts';
import { harnessDelayMs, harnessProblem, interruptedConclusion, judgeStep, nextSearchStep, type SearchConclusion, stepDurationMsFor } from './knee-search.ts';
import { runOpen } from './open-executor.ts';
import type { Workload } from './workloads/types.ts';

/** The steps a search ran and its answer. */
export interface SearchOutcome {
  steps: KneeStep[];
  conclusion: SearchConclusion;
}

/** What the search asks of one step. */
export interface StepRequest {
  index: number;
  ratePerSec: number;
  kind: KneeStep['kind'];
}

/**
 * The search loop: asks {@link nextSearchStep} for a rate, runs it with `runStep`, repeats until
 * the decision is "done". `runStep` resolves null when it was cut short (abort, flow cap): the
 * search then ends as `interrupted` with what the finished steps show.
 *
 * @example
 * const outcome = await runSearch(plan.search, (req) => fakeStep(req)); outcome.conclusion.answer;
 */
export async function runSearch(search: SearchPlan, runStep: (req: StepRequest) => Promise<KneeStep | null>, signal?: AbortSignal): Promise<SearchOutcome> {
  const steps: KneeStep[] = [];
  for (;;) {
    const decision = nextSearchStep(search, steps);
    if (decision.next === 'done') return { steps, conclusion: decision.conclusion };
    if (signal?.aborted) return { steps, conclusion: interruptedConclusion(steps) };
    const step = await runStep({ index: steps.length + 1, ratePerSec: decision.ratePerSec, kind: decision.kind });
    if (step === null) return { steps, conclusion: interruptedConclusion(steps) };
    steps.push(step);
  }
}

/** What a search needs from the run besides the workload and recorder. */
export interface SearchEnv {
  /** The recorder's clock: ms since the measured window started. */
  nowMs: () => number;
  /** A step starts: the run opens a recorder phase named `label` (combined with any active fault). */
  onStep: (label: string) => void;
}

/**
 * Runs the plan's `load.search` against the workload until it has an answer.
 *
 * @example
 * const outcome = await driveSearch(plan, workload, recorder, inFlight, abort.signal, { nowMs, onStep: (l) => recorder.beginPhase(l, []) });
 */
export async function driveSearch(plan: RunPlan, workload: Workload, recorder: Recorder, inFlight: InFlight, signal: AbortSignal, env: SearchEnv): Promise<SearchOutcome> {
  const search = plan.search;
  if (search === null) throw new TokenstormError('ERR_INTERNAL', 'driveSearch needs a plan with load.search');
  const hooks = openHooks(workload, recorder, inFlight);
  // How late each step's flows started: the harness's share of the latencies it measures.
  const lateness = createHistogram(2);
  const stepHooks = {
    ...hooks,
    started: (lateMs: number): void => {
      recordUs(lateness, Math.max(0, lateMs) * 1000);
      hooks.started(lateMs);
    },
  };
  let startedSoFar = 0;
  return runSearch(
    search,
    async (req) => {
      // Steps start on a whole second so that their judged window is whole seconds of the series.
      await delay(Math.ceil(env.nowMs() / 1000) * 1000 - env.nowMs());
      const maxStarts = plan.maxFlows === null ? null : plan.maxFlows - startedSoFar;
      if (signal.aborted || (maxStarts !== null && maxStarts <= 0)) return null;
      const durationMs = stepDurationMsFor(search, req.ratePerSec);
      const startMs = Math.floor(env.nowMs() / 1000) * 1000;
      env.onStep(`step ${req.index}: ${req.ratePerSec}/s`);
      const monitor = startHarnessMonitor();
      lateness.reset();
      // The harness is judged over the scheduling, not the drain after it.
      const monitorEnd = setTimeout(() => monitor.stop(), durationMs);
      const schedule = new ArrivalSchedule(req.ratePerSec, [{ durationMs, targetRatePerSec: req.ratePerSec }]);
      let counts = { started: 0, dropped: 0, late: 0 };
      await Promise.race([
        runOpen({ clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: plan.maxInFlight, maxStarts, durationMs, signal }, stepHooks).then((r) => {
          counts = r;
        }),
        abortedWithGrace(signal),
      ]);
      clearTimeout(monitorEnd);
      startedSoFar += counts.started;
      if (signal.aborted) return null;
      const endMs = startMs + durationMs;
      // The last judged second closes when the clock passes it, even if every flow ended sooner.
      await delay(endMs - env.nowMs() + 5);
      recorder.tick();
      const judgedFromMs = startMs + search.settleMs;
      const points = recorder.closedSeconds.filter((p) => p.t * 1000 >= judgedFromMs && (p.t + 1) * 1000 <= endMs);
      const completed = points.reduce((a, p) => a + p.completed, 0);
      const h = monitor.finish({
        completedFlows: completed,
        droppedFlows: counts.dropped,
        lateFlows: counts.late,
        startedFlows: counts.started,
        idpCpuMicros: null,
        verifierPool: { workers: 0, taken: 0, waits: 0 },
      });
      const own = { lateP95Ms: counts.started > 0 ? summarize(lateness).p95 : 0, loopP99Ms: h.eventLoopDelayMs.p99, cpuCores: h.cpuCores };
      const harness = harnessProblem(own, plan.slo.p95Ms);
      const flows = points.reduce((a, p) => a + (p.endpoints.flow?.count ?? 0), 0);
      const exchanges = points.reduce((a, p) => a + Object.entries(p.endpoints).reduce((b, [cls, e]) => b + (cls === 'flow' ? 0 : (e?.count ?? 0)), 0), 0);
      const delayMs = harnessDelayMs(own, { endpoint: plan.slo.endpoint, mode: plan.mode, exchangesPerFlow: flows > 0 ? exchanges / flows : 1 });
      const j = judgeStep(points, plan.slo, search.minSamples, { problem: harness, delayMs });
      return {
        index: req.index,
        kind: req.kind,
        ratePerSec: req.ratePerSec,
        startMs,
        endMs,
        judgedFromMs,
        judgedToMs: endMs,
        p95Ms: j.p95Ms,
        errorRate: j.errorRate,
        samples: j.samples,
        ...counts,
        verdict: j.verdict,
        sloOk: j.sloOk,
        breach: j.breach,
        harness,
      };
    },
    signal,
  );
}

/** A plain, referenced timer: the search's waits keep the process alive like the load does. */
function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
