/**
 * report.html: one self-contained file (uPlot inlined, data embedded as JSON, a CSP that forbids
 * every fetch) so it can be attached to a CI run or mailed and still open offline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildCharts, type ChartSpec } from './html/chart-data.ts';
import { CLIENT_JS } from './html/client.ts';
import { REPORT_CSS } from './html/style.ts';
import { escapeHtml, inlineSafe, jsonForScript } from './html/escape.ts';
import {
  cardsHtml,
  endpointsHtml,
  failuresHtml,
  faultsHtml,
  harnessHtml,
  headerHtml,
  kneeHtml,
  phasesHtml,
  regressionsHtml,
  thresholdsHtml,
} from './html/sections.ts';
import { findingsHtml, pkceHtml } from './html/security.ts';
import type { Report } from './schema.ts';

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's browser build and CSS, read from node_modules once per process. */
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/**
 * The page's Content-Security-Policy. Nothing may be fetched (the page must work offline, and an
 * injected tag in report text could not phone home even if escaping failed), and only the page's
 * own two scripts run: they are allowed by their SHA-256 hashes, not by 'unsafe-inline', so an
 * injected `<script>` or inline event handler (`onerror=`) would not run either. Styles stay
 * inline (uPlot sets them; a style cannot run script).
 */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).join(' ');
  return `default-src 'none'; script-src ${hashes}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

function chartSection(c: ChartSpec): string {
  const hint =
    c.id === 'spectrum'
      ? '<p class="muted">x: percentile on a log scale of 1/(1−p), as HdrHistogram plots it; y: ms (log).</p>'
      : c.shades.length > 0
        ? '<p class="muted">Shaded: phases with faults active.</p>'
        : '';
  return `<section><h2>${escapeHtml(c.title)}</h2>${hint}<div class="chart" id="chart-${c.id}"></div></section>`;
}

/**
 * Renders the whole report as one HTML page: summary cards, latency over time with fault phases
 * shaded, percentile spectrum per endpoint, throughput, failures over time, and the phase,
 * threshold, regression, knee, fault and harness tables.
 *
 * @example
 * await writeFile('report.html', renderHtml(report));
 */
export function renderHtml(report: Report): string {
  const assets = uplot();
  const charts = buildCharts(report);
  const byId = new Map(charts.map((c) => [c.id, c]));
  const chart = (id: ChartSpec['id']): string => chartSection(byId.get(id)!);
  const scripts = [inlineSafe(assets.js, 'script'), inlineSafe(CLIENT_JS, 'script')] as const;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(scripts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tokenstorm">
<title>tokenstorm: ${escapeHtml(report.scenario.name)}</title>
<style>${inlineSafe(assets.css, 'style')}</style>
<style>${inlineSafe(REPORT_CSS, 'style')}</style>
</head>
<body>
<main>
${headerHtml(report)}
${cardsHtml(report)}
${findingsHtml(report)}
${endpointsHtml(report)}
${pkceHtml(report)}
<div class="charts">
${chart('latency')}
${chart('spectrum')}
${chart('throughput')}
${chart('failures')}
</div>
${kneeHtml(report)}
${thresholdsHtml(report)}
${regressionsHtml(report)}
${faultsHtml(report)}
${phasesHtml(report)}
${failuresHtml(report)}
${harnessHtml(report)}
<footer>tokenstorm · ${escapeHtml(report.schema)} · the data of this page is embedded below as JSON</footer>
</main>
<script type="application/json" id="tokenstorm-data">${jsonForScript({ charts })}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
}
