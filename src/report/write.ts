/**
 * Writes the three files of a run: report.json (the data), report.html (for people), junit.xml
 * (for CI).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportPaths } from './console.ts';
import { makeDir } from './make-dir.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import type { Report } from './schema.ts';

/**
 * Writes report.html and junit.xml for `report` into `dir` (created if missing).
 *
 * @example
 * const { html } = await writeRenderedFiles(await loadReport('old/report.json'), 'old');
 */
export async function writeRenderedFiles(report: Report, dir: string): Promise<Omit<ReportPaths, 'json'>> {
  const abs = await makeDir(dir);
  const html = join(abs, 'report.html');
  const junit = join(abs, 'junit.xml');
  await writeFile(html, renderHtml(report));
  await writeFile(junit, renderJunit(report));
  return { html, junit };
}

/**
 * Writes report.json (pretty-printed), report.html and junit.xml into `dir` (created if missing)
 * and returns their absolute paths.
 *
 * @example
 * const paths = await writeReportFiles(report, `reports/${report.runId}`);
 * process.stderr.write(formatSummary(report, paths));
 */
export async function writeReportFiles(report: Report, dir: string): Promise<ReportPaths> {
  const abs = await makeDir(dir);
  const json = join(abs, 'report.json');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const rendered = await writeRenderedFiles(report, abs);
  return { json, ...rendered };
}
