/**
 * `tokenstorm report`: re-renders report.html and junit.xml from a saved report.json (after an
 * upgrade, or for a report.json produced elsewhere, e.g. imported from k6).
 */
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { loadReport } from '../report/compare.ts';
import { writeRenderedFiles } from '../report/write.ts';
import { ensureWritableDir } from './options.ts';

/**
 * Loads `file`, writes report.html and junit.xml into `outDir` (default: next to the JSON) and
 * returns their paths.
 *
 * @example
 * const { html } = await runReport('reports/run-1/report.json');
 */
export async function runReport(file: string, outDir?: string): Promise<{ html: string; junit: string }> {
  const report = await loadReport(file);
  if (outDir !== undefined) await ensureWritableDir(outDir);
  return writeRenderedFiles(report, outDir ?? dirname(file));
}

/** Registers `tokenstorm report`. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render report.html and junit.xml from a saved report.json')
    .argument('<report.json>', 'a report written by tokenstorm run')
    .option('--out <dir>', 'output folder (default: the folder of report.json)')
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm report reports/2025-01-01T10-00-00/report.json
  $ tokenstorm report baseline.json --out /tmp/baseline-html`,
    )
    .action(async (file: string, opts: { out?: string }) => {
      const { html, junit } = await runReport(file, opts.out);
      process.stdout.write(`${html}\n${junit}\n`);
    });
}
