/**
 * What `merge` and `import k6` do after they have a report: the same gate flags as `run`
 * (--threshold, --baseline, --tolerance), the same files (report.json, report.html, junit.xml) and
 * the same console summary and exit code.
 */
import type { Command } from 'commander';
import { loadReport, parseTolerance } from '../report/compare.ts';
import { formatSummary } from '../report/console.ts';
import { finalizeReport } from '../report/finalize.ts';
import type { Report } from '../report/schema.ts';
import { parseThreshold } from '../report/thresholds.ts';
import { writeReportFiles } from '../report/write.ts';

/** Parsed gate/output flags. */
export interface GateFlags {
  out: string;
  threshold: string[];
  baseline?: string;
  tolerance: string;
  quiet?: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/**
 * Adds --out, --threshold, --baseline, --tolerance, --quiet and --json to `cmd`.
 *
 * @example
 * addGateOptions(program.command('merge').argument('<reports...>'));
 */
export function addGateOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--out <dir>', 'folder for report.json, report.html and junit.xml')
    .option('--threshold <expr>', "k6-style threshold, repeatable: 'token:p(95)<200'", collect, [])
    .option('--baseline <file>', 'baseline report.json: exit 1 when p95 regresses beyond --tolerance')
    .option('--tolerance <pct>', 'allowed regression against --baseline', '10%')
    .option('--quiet', 'no summary')
    .option('--json', 'print report.json to stdout');
}

/**
 * Checks the gate flags before any work (a bad flag must not cost an import).
 *
 * @example
 * const gate = await prepareGate(flags); // throws ERR_THRESHOLD_INVALID / ERR_REPORT_INVALID
 */
export async function prepareGate(flags: GateFlags): Promise<{ baseline: Report | null; tolerancePct: number }> {
  for (const t of flags.threshold) parseThreshold(t);
  const tolerancePct = parseTolerance(flags.tolerance);
  const baseline = flags.baseline ? await loadReport(flags.baseline) : null;
  return { baseline, tolerancePct };
}

/**
 * Gates `report` (its own threshold expressions plus --threshold), writes the files into --out and
 * prints the summary. Returns the exit code (0 pass, 1 threshold/regression failed).
 *
 * @example
 * process.exitCode = await gateAndWrite(report, [], flags, await prepareGate(flags), { knee: true });
 */
export async function gateAndWrite(
  report: Report,
  ownThresholds: string[],
  flags: GateFlags,
  gate: { baseline: Report | null; tolerancePct: number },
  opts: { knee: boolean },
): Promise<0 | 1> {
  const exitCode = finalizeReport(report, { thresholds: [...ownThresholds, ...flags.threshold], knee: opts.knee, baseline: gate.baseline, tolerancePct: gate.tolerancePct });
  const files = await writeReportFiles(report, flags.out);
  const summary = formatSummary(report, files);
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  if (!flags.quiet) (flags.json ? process.stderr : process.stdout).write(summary.endsWith('\n') ? summary : `${summary}\n`);
  return exitCode;
}
