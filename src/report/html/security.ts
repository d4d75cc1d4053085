/**
 * The security parts of report.html: probe findings and outcomes (severity colours) and the PKCE
 * metrics M1–M8. Every value goes through {@link escapeHtml}.
 */
import type { PkceMetric, Report, Severity } from '../schema.ts';
import { escapeHtml as e } from './escape.ts';

const sevBadge = (s: Severity): string => `<span class="badge sev-${s}">${e(s)}</span>`;
const STATUS_CLASS = { pass: 'ok', finding: 'bad', skipped: 'skip', inconclusive: 'skip' } as const;

function table(head: string[], rows: string[][], textCols: number[]): string {
  const th = head.map((h, i) => `<th${textCols.includes(i) ? ' class="text"' : ''}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${textCols.includes(i) ? ' class="text"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Findings (severity-coloured) and every probe's outcome; empty when no probe ran. */
export function findingsHtml(r: Report): string {
  if (!r.probes || r.probes.length === 0) return '';
  const findings = r.findings ?? [];
  const failOn = r.findingsFailOn ?? 'high';
  const intro = findings.length === 0
    ? '<p class="muted">No findings: every probe got the correct answer or was skipped.</p>'
    : `<p>${findings.length} finding(s); findings at or above <strong>${e(failOn)}</strong> fail the run (exit 4).</p>`;
  const findingRows = findings.map((f) => [
    sevBadge(f.severity),
    e(f.probe),
    e(f.title),
    e(f.observed),
    e(f.expected),
    f.evidence.map((x) => e(`${x.step}: ${[x.status, x.error, x.failureClass, x.description].filter((v) => v !== undefined).join(' ')}`)).join('<br>'),
  ]);
  const outcomeRows = r.probes.map((o) => [
    e(o.probe),
    e(o.title),
    sevBadge(o.severity),
    `<span class="badge ${STATUS_CLASS[o.status]}">${e(o.status)}</span>`,
    e(o.reason ?? ''),
    // report.json read back is input: a number field holding markup prints as text.
    typeof o.durationMs === 'number' && Number.isFinite(o.durationMs) ? String(o.durationMs) : '–',
  ]);
  const findingsTable = findings.length > 0 ? table(['severity', 'probe', 'title', 'observed', 'expected', 'evidence'], findingRows, [2, 3, 4, 5]) : '';
  return `<section id="findings"><h2>Security findings</h2>${intro}${findingsTable}
<h2 style="margin-top:14px">Probes</h2>${table(['probe', 'title', 'severity', 'status', 'reason', 'ms'], outcomeRows, [1, 4])}</section>`;
}

function metricValue(m: PkceMetric): string {
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) return '–';
  if (m.unit === 'ratio') return `${(Math.round(m.value * 100_000) / 1000).toString()}%`;
  if (m.unit === 'ms') return `${m.value.toFixed(m.value >= 100 ? 0 : 1)} ms`;
  return String(m.value);
}

/** PKCE metrics M1–M8 with their targets; empty when the report has none. */
export function pkceHtml(r: Report): string {
  if (!r.pkce) return '';
  const rows = r.pkce.metrics.map((m) => [
    e(m.id),
    e(m.name),
    e(metricValue(m)),
    e(m.target),
    m.ok === null ? '<span class="badge skip">n/a</span>' : `<span class="badge ${m.ok ? 'ok' : 'bad'}">${m.ok ? 'ok' : 'MISSED'}</span>`,
    e(m.detail),
  ]);
  return `<section id="pkce"><h2>PKCE metrics</h2>${table(['metric', 'name', 'value', 'target', 'result', 'how counted'], rows, [1, 5])}</section>`;
}
