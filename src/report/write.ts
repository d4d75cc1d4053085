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
import { withSecretScan } from './pkce-metrics.ts';
import type { Report } from './schema.ts';
import { scanFilesForSecrets } from './secret-scan.ts';

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

/**
 * Writes the three files, then searches them for the secrets the run handled (M7, verifier
 * exposure). A hit sets M7, adds a failed run check (the files are rewritten to say so) and is
 * returned, so the caller fails the run; the secrets themselves are never printed.
 *
 * @example
 * const { files, leaked } = await writeReportFilesScanned(report, dir, sample.values());
 */
export async function writeReportFilesScanned(report: Report, dir: string, secrets: readonly string[]): Promise<{ files: ReportPaths; leaked: number }> {
  const files = await writeReportFiles(report, dir);
  const scan = await scanFilesForSecrets([files.json, files.html, files.junit], secrets);
  if (report.pkce) report.pkce = withSecretScan(report.pkce, scan.found);
  if (scan.found === 0) {
    // M7 now says "0 found": the files must say so too.
    if (report.pkce) await writeReportFiles(report, dir);
    return { files, leaked: 0 };
  }
  report.checks = [
    ...(report.checks ?? []),
    { name: 'no secret in the outputs', ok: false, detail: `${scan.found} occurrence(s) of handled secrets in ${scan.where.map((w) => w.source).join(', ')}` },
  ];
  await writeReportFiles(report, dir);
  return { files, leaked: scan.found };
}
