/**
 * The gate steps a report gets after its data is complete, shared by `merge` and `import k6` so
 * that a merged or imported report is judged exactly like a native run: thresholds, knee, baseline.
 */
import { redactDetail } from '../metrics/redact.ts';
import { compareReports } from './compare.ts';
import { findKnee } from './knee.ts';
import type { Report } from './schema.ts';
import { evaluateThresholds } from './thresholds.ts';

/** Options for {@link finalizeReport}. */
export interface FinalizeOptions {
  /** Threshold expressions (k6 syntax) to evaluate on the report's data. */
  thresholds?: readonly string[];
  /** Compute the capacity knee from the series (needs `report.slo`). */
  knee?: boolean;
  baseline?: Report | null;
  /** Allowed p95 regression against `baseline`, percent. Default 10. */
  tolerancePct?: number;
}

/**
 * Evaluates thresholds, knee and baseline on `report` (in place) and returns the exit code a run
 * would have: 1 when a threshold or regression check failed (or a baseline gate checked nothing).
 *
 * @example
 * const exitCode = finalizeReport(merged, { thresholds: ['token:p(95)<200'], baseline });
 */
export function finalizeReport(report: Report, opts: FinalizeOptions): 0 | 1 {
  report.thresholds = evaluateThresholds([...new Set(opts.thresholds ?? [])], report);
  if (opts.knee && report.slo && (report.slo.p95Ms !== undefined || report.slo.errorRate !== undefined)) {
    report.knee = findKnee(report, { endpoint: report.slo.endpoint ?? 'token', p95Ms: report.slo.p95Ms ?? null, errorRate: report.slo.errorRate ?? null });
  }
  let gateProblem = false;
  if (opts.baseline) {
    try {
      report.regressions = compareReports(opts.baseline, report, {
        tolerancePct: opts.tolerancePct ?? 10,
        ...(report.scenario.mode === 'token' ? { endpoints: ['token'] } : {}),
      });
      if (report.regressions.every((c) => c.skipped !== undefined)) {
        gateProblem = true;
        report.harness.reasons.push('baseline comparison checked nothing (too few samples in one of the runs)');
      }
    } catch (err) {
      gateProblem = true;
      report.harness.reasons.push(redactDetail(`baseline comparison failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  const failed = gateProblem || report.thresholds.some((t) => !t.ok) || (report.regressions ?? []).some((r) => !r.ok);
  return failed ? 1 : 0;
}
