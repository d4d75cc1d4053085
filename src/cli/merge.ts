/**
 * `tokenstorm merge REPORT... --out DIR`: one report from the parts of a run (segments on several
 * machines, or several imports). Each report.json is untrusted input: size-capped and validated.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { loadReport } from '../report/compare.ts';
import { mergeReports } from '../report/merge.ts';
import { addGateOptions, type GateFlags, gateAndWrite, prepareGate } from './gate-output.ts';

/** A report.json larger than this is refused (a run's report is a few MB). */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/**
 * Loads, validates and merges `files`, gates the result and writes it into `flags.out`.
 * Returns the exit code.
 *
 * @example
 * process.exitCode = await runMerge(['a/report.json', 'b/report.json'], { out: 'merged', threshold: [], tolerance: '10%' });
 */
export async function runMerge(files: string[], flags: GateFlags): Promise<number> {
  const gate = await prepareGate(flags);
  const inputs = [];
  for (const file of files) {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > MAX_REPORT_BYTES) throw new TokenstormError('ERR_REPORT_INVALID', `${file} is ${size} bytes, over the ${MAX_REPORT_BYTES}-byte cap for a report.json`);
    inputs.push({ report: await loadReport(file), label: file });
  }
  const { report, thresholdExprs } = mergeReports(inputs);
  const knee = inputs.some((p) => p.report.knee !== undefined);
  return gateAndWrite(report, thresholdExprs, flags, gate, { knee });
}

/**
 * Registers `tokenstorm merge`.
 *
 * @example
 * registerMerge(program);
 */
export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .description('merge reports of one scenario (segments run on several machines) into one report')
    .argument('<reports...>', 'report.json files of the parts');
  addGateOptions(cmd).addHelpText(
    'after',
    `
Histograms are merged exactly (percentiles of the union of all samples), counters summed, series
aligned on wall-clock time, thresholds and the knee evaluated on the merged data; each part's
harness self-check is kept in segments[].

Examples:
  $ tokenstorm run capacity --segment 0/2 --out parts   # machine A
  $ tokenstorm run capacity --segment 1/2 --out parts   # machine B
  $ tokenstorm merge parts/*/report.json --out reports/merged --threshold 'token:p(95)<200'

Exit codes: 0 thresholds met, 1 threshold or regression failed, 2 bad input (different scenarios
or schema versions, a damaged report, the same segment twice).`,
  );
  cmd.action(async (files: string[], flags: GateFlags) => {
    process.exitCode = await runMerge(files, flags);
  });
}
