/**
 * Report assembly: a pure function from what a run measured to the report and its verdict. The
 * threshold, game-day, knee and baseline evaluations are steps here, in this order, and every
 * reason a run fails is named in `report.checks` or `report.thresholds`.
 */
import type { SearchOutcome } from '../load/search-executor.ts';
import type { RecorderResult } from '../metrics/recorder.ts';
import { redactDetail } from '../metrics/redact.ts';
import type { RunPlan } from '../scenario/types.ts';
import { compareReports } from './compare.ts';
import { faultOutcomes } from './gameday.ts';
import { withBurnRates } from './burn-rate.ts';
import { findKnee } from './knee.ts';
import { challengeMethodsWith, pkceMetrics } from './pkce-metrics.ts';
import { findingsAtOrAbove } from '../probe/severity.ts';
import { kneeFromSearch } from './search-knee.ts';
import { type Finding, type HarnessReport, type ProbeOutcome, REPORT_SCHEMA, type Report, type RunCheck, type Severity } from './schema.ts';
import { evaluateThresholds } from './thresholds.ts';

/** A fault the timeline could not apply or remove. */
export interface FaultError {
  fault: string;
  action: 'apply' | 'undo';
  message: string;
}

/** Everything a run measured, as plain data. */
export interface AssemblyInput {
  plan: RunPlan;
  runId: string;
  startedAt: Date;
  durationMs: number;
  /** Stopped early (Ctrl-C, crash, lost target). */
  partial: boolean;
  target: Report['target'];
  result: RecorderResult;
  harness: HarnessReport;
  /** Per fault: when it was really applied and removed (ms from the start); null when there was no timeline. */
  faultTimings: Array<{ appliedAtMs: number | null; removedAtMs: number | null }> | null;
  faultErrors: FaultError[];
  /** What stopped the run early, if anything. */
  crash: unknown;
  /** The capacity search's steps and answer when the plan searched (plan.search). */
  search?: SearchOutcome | null;
  /** `--threshold` expressions added to the scenario's. */
  extraThresholds: readonly string[];
  baseline: Report | null;
  tolerancePct: number;
  /** Probes mixed into the load: every probe's outcome and the findings. */
  probes?: { outcomes: ProbeOutcome[]; findings: Finding[] };
  /** `plain` challenges sent by buggy-client mixes (M6). */
  plainChallenges?: { sent: number; accepted: number };
  /** Findings at or above this severity make the run exit 4 (default high). */
  findingsFailOn?: Severity;
  /** This run was one execution segment of N. */
  segment?: { index: number; count: number };
}

/** The report and its verdict: `failed` (exit 1), `insecure` (security findings at or above the gate: exit 4). */
export interface Assembled {
  report: Report;
  failed: boolean;
  insecure: boolean;
}

/**
 * The thresholds a run is judged by: the scenario's and the command line's; when there are none
 * and the scenario injects no faults, the default that failed flows stay under the SLO error rate
 * (1% without one). Game days judge their faults instead (applied, recovered).
 */
export function thresholdsFor(plan: RunPlan, extra: readonly string[]): string[] {
  const given = [...plan.thresholds, ...extra];
  // A search drives the target past its knee on purpose: failures there are its answer, not a failed run.
  if (given.length > 0 || plan.faults.length > 0 || plan.search) return given;
  return [`flow:rate(failed)<${plan.slo.errorRate ?? 0.01}`];
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Builds report.json's content and the verdict.
 *
 * @example
 * const { report, failed } = assembleReport({ plan, runId, startedAt, durationMs, partial: false, target, result, harness, faultTimings: null, faultErrors: [], crash: null, extraThresholds: [], baseline: null, tolerancePct: 10 });
 */
export function assembleReport(input: AssemblyInput): Assembled {
  const { plan, result, harness } = input;
  if (input.crash) harness.reasons.push(redactDetail(`run stopped by an error: ${message(input.crash)}`));
  for (const e of input.faultErrors) harness.reasons.push(redactDetail(`fault ${e.fault} could not ${e.action}: ${e.message}`));
  const slo = { p95Ms: plan.slo.p95Ms, errorRate: plan.slo.errorRate, endpoint: plan.slo.endpoint };
  const report: Report = {
    schema: REPORT_SCHEMA,
    runId: input.runId,
    scenario: { name: plan.name, file: plan.file, mode: plan.mode, model: plan.model, description: plan.description },
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    partial: input.partial,
    target: input.target,
    load: {
      model: plan.model,
      ...(plan.warmupMs ? { warmupMs: plan.warmupMs } : {}),
      stages: plan.stages.map((s) => ({
        durationMs: s.durationMs,
        ...(s.targetRatePerSec !== undefined ? { targetRatePerSec: s.targetRatePerSec } : {}),
        ...(s.vus !== undefined ? { vus: s.vus } : {}),
      })),
      ...(plan.search ? { search: { ...plan.search } } : {}),
    },
    flows: { ...result.flows, unfinished: Math.max(0, result.flows.started - result.flows.completed - result.flows.failed) },
    endpoints: result.endpoints,
    failures: result.failures,
    failureEvidence: result.failureEvidence,
    failureSamples: result.failureSamples,
    phases: result.phases,
    series: result.series,
    thresholds: [],
    checks: [],
    harness,
    ...(input.segment ? { segment: { index: input.segment.index, count: input.segment.count } } : {}),
  };
  const checks: RunCheck[] = [];
  if (slo.p95Ms !== null || slo.errorRate !== null) {
    report.slo = { endpoint: slo.endpoint, ...(slo.p95Ms !== null ? { p95Ms: slo.p95Ms } : {}), ...(slo.errorRate !== null ? { errorRate: slo.errorRate } : {}) };
  }
  withBurnRates(report);
  // M1–M6, M8 from what was measured; M7 (secrets in the outputs) once the files are written.
  report.pkce = pkceMetrics(result, input.plainChallenges ? { challengeMethods: challengeMethodsWith(result, input.plainChallenges) } : {});
  if (plan.expectFailures.length > 0) {
    report.expectedFailures = plan.expectFailures.map((c) => ({ failureClass: c, count: result.failures[c] ?? 0 }));
  }

  // The knee before the thresholds: `knee>=N` gates on it.
  if (plan.search && input.search) report.knee = kneeFromSearch(plan.search, input.search);
  else {
    // A knee from a ramp needs a rate that changes: several stages, or one ramp from startRatePerSec.
    const ramps = plan.stages.length > 1 || plan.stages[0]?.targetRatePerSec !== plan.startRatePerSec;
    if (ramps && plan.model === 'open' && (slo.p95Ms !== null || slo.errorRate !== null)) report.knee = findKnee(report, slo);
  }

  // Thresholds, and a run in which nothing succeeded never passes, thresholds or not.
  report.thresholds = evaluateThresholds(thresholdsFor(plan, input.extraThresholds), report);
  const started = result.flows.started;
  checks.push({
    name: 'some flow succeeded',
    ok: result.flows.completed > 0,
    detail: result.flows.completed > 0 ? `${result.flows.completed} of ${started}` : `0 of ${started} flows completed`,
  });

  // Game day: every fault must really have been applied; a fault that never took is no game day.
  if (plan.faults.length > 0) {
    report.faults = faultOutcomes(plan.faults, input.faultTimings ?? plan.faults.map(() => ({ appliedAtMs: null, removedAtMs: null })), result.series, slo);
    for (const [i, f] of plan.faults.entries()) {
      const applyError = input.faultErrors.find((e) => e.fault === f.name && e.action === 'apply');
      const applied = (input.faultTimings?.[i]?.appliedAtMs ?? null) !== null;
      const outcome = report.faults[i]!;
      outcome.applied = applied;
      if (applyError) outcome.error = redactDetail(applyError.message);
      // A fault scheduled after a run that ended early was not missed; one whose time came was.
      const due = f.atMs <= input.durationMs;
      if (!applied && (due || applyError)) {
        checks.push({ name: `fault ${f.name} applied`, ok: false, detail: applyError ? redactDetail(applyError.message) : 'never applied' });
      } else if (applied) {
        checks.push({ name: `fault ${f.name} applied`, ok: true, detail: `at ${outcome.atMs} ms` });
      }
    }
  }

  if (input.baseline) {
    try {
      // In token mode the front-channel endpoints only feed the code bank; the gate is the token endpoint.
      // A search's latencies depend on which steps it ran: its gate is the knee alone.
      report.regressions = compareReports(input.baseline, report, {
        tolerancePct: input.tolerancePct,
        ...(plan.search ? { endpoints: [], knee: true } : plan.mode === 'token' ? { endpoints: ['token'] } : {}),
      });
      // As `tokenstorm compare`: a gate that checked nothing must not pass quietly.
      if (report.regressions.every((c) => c.skipped !== undefined)) {
        const why = 'baseline comparison checked nothing (too few samples in one of the runs)';
        harness.reasons.push(why);
        checks.push({ name: 'baseline compared', ok: false, detail: why });
      }
    } catch (err) {
      const why = redactDetail(`baseline comparison failed: ${message(err)}`);
      harness.reasons.push(why);
      checks.push({ name: 'baseline compared', ok: false, detail: why });
    }
  }
  let insecure = false;
  if (input.probes) {
    report.probes = input.probes.outcomes;
    report.findings = input.probes.findings;
    report.findingsFailOn = input.findingsFailOn ?? 'high';
    insecure = findingsAtOrAbove(report.findings, report.findingsFailOn).length > 0;
  }
  report.checks = checks;
  const failed = checks.some((c) => !c.ok) || report.thresholds.some((t) => !t.ok) || (report.regressions ?? []).some((r) => !r.ok);
  return { report, failed, insecure };
}
