/**
 * The security lines of the console summary: PKCE metrics M1–M8 and probe findings, plus the
 * findings table `tokenstorm probe` prints.
 */
import type { PkceMetric, ProbeOutcome, Report } from './schema.ts';

/** Report text can carry IdP input: no terminal escape sequences reach the console. */
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function metricValue(m: PkceMetric): string {
  if (m.value === null) return 'n/a';
  if (m.unit === 'ratio') return `${(Math.round(m.value * 100_000) / 1000).toString()}%`;
  if (m.unit === 'ms') return `${m.value.toFixed(m.value >= 100 ? 0 : 1)} ms`;
  return String(m.value);
}

/**
 * `pkce       M1 authorization request success rate 100% (target >= 99.9%) ok` lines.
 *
 * @example
 * formatPkceLines(report).join('\n');
 */
export function formatPkceLines(report: Report): string[] {
  if (!report.pkce) return [];
  return report.pkce.metrics.map(
    (m, i) => `${i === 0 ? 'pkce       ' : '           '}${m.id} ${m.name}: ${metricValue(m)} (target ${m.target}) ${m.ok === null ? 'n/a' : m.ok ? 'ok' : 'MISSED'}`,
  );
}

/** `finding    CRITICAL P1 wrong code_verifier: …` lines. */
export function formatFindingLines(report: Report): string[] {
  return (report.findings ?? []).map((f) => `finding    ${f.severity.toUpperCase()} ${f.probe} ${clean(f.title)}: ${clean(f.observed)}`);
}

/**
 * The table `tokenstorm probe` prints: one row per probe with its status and severity.
 *
 * @example
 * process.stdout.write(formatProbeTable(report.probes ?? []));
 */
export function formatProbeTable(outcomes: readonly ProbeOutcome[]): string {
  const rows = [['probe', 'severity', 'result', 'title / why'], ...outcomes.map((o) => [o.probe, o.severity, o.status === 'finding' ? 'FINDING' : o.status, clean(o.status === 'pass' ? o.title : `${o.title}: ${o.reason ?? ''}`)])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => [0, 1, 2].map((i) => r[i]!.padEnd(widths[i]!)).join('  ') + '  ' + r[3]).join('\n')}\n`;
}
