/**
 * `tokenstorm compare`: the CI gate against a stored baseline. Prints a table, exits 1 on a
 * regression and 2 on unusable input.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { compareReports, formatCompareTable, loadReport, parseTolerance } from '../report/compare.ts';
import { renderCompareJunit } from '../report/junit.ts';
import { ENDPOINT_CLASSES, type EndpointClass } from '../report/schema.ts';

/** Parsed options of `tokenstorm compare`. */
export interface CompareCommandOptions {
  tolerance: string;
  stat?: string;
  endpoint?: string;
  junit?: string;
}

const list = (s: string | undefined): string[] | undefined =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

/**
 * Runs the comparison and returns the exit code (0 ok, 1 regression); throws TokenstormError for
 * bad input.
 *
 * @example
 * process.exitCode = await runCompare('base/report.json', 'cur/report.json', { tolerance: '10%' });
 */
export async function runCompare(baselinePath: string, currentPath: string, opts: CompareCommandOptions): Promise<number> {
  const tolerancePct = parseTolerance(opts.tolerance);
  const endpoints = list(opts.endpoint);
  for (const e of endpoints ?? []) {
    if (!(ENDPOINT_CLASSES as readonly string[]).includes(e)) {
      throw new TokenstormError('ERR_USAGE', `unknown endpoint '${e}'`, { hint: `use one of ${ENDPOINT_CLASSES.join(', ')}` });
    }
  }
  const [baseline, current] = await Promise.all([loadReport(baselinePath), loadReport(currentPath)]);
  const compareOpts: Parameters<typeof compareReports>[2] = { tolerancePct };
  const stats = list(opts.stat);
  if (stats) compareOpts.stats = stats;
  if (endpoints) compareOpts.endpoints = endpoints as EndpointClass[];
  const checks = compareReports(baseline, current, compareOpts);
  if (checks.length === 0 || checks.every((c) => c.skipped)) {
    // A gate that compared nothing must not pass silently.
    throw new TokenstormError(
      'ERR_REPORT_INVALID',
      `nothing to compare between ${baselinePath} and ${currentPath}: ${checks[0]?.skipped ?? 'no endpoint has samples in both reports'}`,
    );
  }
  process.stdout.write(formatCompareTable(checks));
  if (opts.junit) await writeFile(opts.junit, renderCompareJunit(checks));
  return checks.some((c) => !c.ok) ? 1 : 0;
}

/** Registers `tokenstorm compare`. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare a run against a baseline report; exit 1 on a latency regression')
    .argument('<baseline>', 'baseline report.json')
    .argument('<current>', 'current report.json')
    .option('--tolerance <pct>', "allowed increase, e.g. '10%' or '10'", '10%')
    .option('--stat <list>', `stats to compare, comma-separated (${['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'].join(', ')})`, 'p95')
    .option('--endpoint <list>', 'endpoint classes to compare, comma-separated (default: all with samples in both)')
    .option('--junit <file>', 'also write the checks as JUnit XML')
    .addHelpText(
      'after',
      `
Percentiles are recomputed from the HDR histograms stored in each report. Endpoints with fewer
than 20 samples on either side are skipped. Exit codes: 0 within tolerance, 1 regression,
2 bad input (missing file, not a tokenstorm report, bad option).

Examples:
  $ tokenstorm compare baseline/report.json reports/latest/report.json
  $ tokenstorm compare base.json cur.json --tolerance 5% --stat p95,p99 --endpoint token
  $ tokenstorm compare base.json cur.json --junit compare-junit.xml`,
    )
    .action(async (baseline: string, current: string, opts: CompareCommandOptions) => {
      const code = await runCompare(baseline, current, opts);
      if (code !== 0) process.exitCode = code;
    });
}
