/**
 * The end-of-run summary a person reads in the terminal: short, aligned, the verdict last.
 */
import { stripControl } from '../metrics/redact.ts';
import { formatFindingLines, formatPkceLines } from './security-console.ts';
import { ENDPOINT_CLASSES, type FailureClass, type Report, SEVERITIES } from './schema.ts';

/** Paths of the files written for a run (from `writeReportFiles`). */
export interface ReportPaths {
  json: string;
  html: string;
  junit: string;
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const sec = (xMs: number): string => `${(xMs / 1000).toFixed(1)} s`;
const num = (x: number | null): string => (x === null ? 'n/a' : String(Math.round(x * 1000) / 1000));
const bytes = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

/**
 * How long load was offered: the stages' total, or the measured window when the run stopped early.
 *
 * @example
 * loadDurationMs(report); // 5000 for a 5 s stage, even when the last flows finished at 5.2 s (a warmup is not counted)
 */
export function loadDurationMs(report: Report): number {
  const planned = report.load.stages.reduce((sum, s) => sum + s.durationMs, 0);
  const ran = planned > 0 ? Math.min(planned, report.durationMs) : report.durationMs;
  // The totals leave the warmup out, so the rates do too.
  return Math.max(0, ran - (report.load.warmupMs ?? 0));
}
/** Report text can carry user input: no terminal escape sequences reach the console. */
// Target-supplied text (threshold names, harness reasons) never drives the terminal.
const clean = (s: string): string => stripControl(String(s), '?');

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
  );
}

/** PASS / FAIL / PARTIAL verdict shared by the console and the HTML report. */
export function verdictOf(report: Report): { verdict: 'PASS' | 'FAIL'; partial: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const failedThresholds = report.thresholds.filter((t) => !t.ok);
  if (failedThresholds.length > 0) reasons.push(`${failedThresholds.length} threshold(s) failed`);
  const regressions = (report.regressions ?? []).filter((r) => !r.ok);
  if (regressions.length > 0) reasons.push(`${regressions.length} regression(s)`);
  const failedChecks = (report.checks ?? []).filter((c) => !c.ok);
  for (const c of failedChecks) reasons.push(`${c.name}: ${c.detail}`);
  const failOn = SEVERITIES.indexOf(report.findingsFailOn ?? 'high');
  const findings = (report.findings ?? []).filter((f) => SEVERITIES.indexOf(f.severity) <= failOn);
  if (findings.length > 0) reasons.push(`${findings.length} security finding(s)`);
  if (report.partial) reasons.push('run stopped early (partial report)');
  const failed = failedThresholds.length + regressions.length + failedChecks.length + findings.length > 0;
  return { verdict: failed ? 'FAIL' : 'PASS', partial: report.partial, reasons };
}

/** The knee of a search and its step table. */
function searchLines(report: Report): string[] {
  const k = report.knee!;
  const slo = report.slo;
  const sloText = slo ? [slo.p95Ms !== undefined ? `${slo.endpoint ?? 'token'} p95 < ${slo.p95Ms} ms` : '', slo.errorRate !== undefined ? `errors < ${slo.errorRate * 100}%` : ''].filter(Boolean).join(', ') : '';
  const out = [`knee       ${clean(k.answer ?? String(k.sustainedRatePerSec))}${sloText ? ` at ${sloText}` : ''} (${clean(k.reason ?? '')})`];
  const rows: string[][] = [['step', 'kind', 'rate/s', 'p95 ms', 'errors', 'dropped', 'samples']];
  const verdicts = ['verdict'];
  for (const s of k.steps ?? []) {
    const why = s.verdict === 'harness-limited' ? s.harness : s.breach;
    rows.push([
      String(s.index),
      s.kind,
      String(s.ratePerSec),
      s.p95Ms === null ? '-' : ms(s.p95Ms),
      s.errorRate === null ? '-' : `${(s.errorRate * 100).toFixed(2)}%`,
      String(s.dropped),
      String(s.samples),
    ]);
    const note = s.verdict !== 'harness-limited' && s.harness ? ` (harness: ${clean(s.harness)})` : '';
    verdicts.push(`${s.verdict}${why ? `: ${clean(why)}` : ''}${note}`);
  }
  // The verdict is text: left-aligned after the numbers.
  if (rows.length > 1) out.push(...table(rows, '  ').map((l, i) => `${l}  ${verdicts[i]}`));
  return out;
}

/**
 * A short plain-text summary: flows, per-endpoint latency, failures, thresholds, knee, faults,
 * harness warnings and where the reports are.
 *
 * @example
 * process.stderr.write(formatSummary(report, await writeReportFiles(report, dir)));
 */
export function formatSummary(report: Report, paths?: ReportPaths): string {
  const out: string[] = [];
  const f = report.flows;
  out.push(
    `tokenstorm: ${clean(report.scenario.name)} (${report.scenario.model} model, ${report.scenario.mode} mode) ${sec(report.durationMs)}${report.partial ? '  [PARTIAL: stopped early]' : ''}`,
  );
  // Rates are per second of load (the stages' length), not of wall time: waiting for the last
  // flows to finish (wind-down) is not load, and 5/s for 5 s must print 5.0/s.
  const loadSec = loadDurationMs(report) / 1000;
  const perSec = (n: number): string => (loadSec > 0 ? (n / loadSec).toFixed(1) : '0.0');
  out.push(`flows      started ${f.started}  completed ${f.completed}  failed ${f.failed}  dropped ${f.dropped}  ${perSec(f.completed)} completed/s`);
  const offered = f.started + f.dropped;
  const peak = report.series.reduce((m, p) => Math.max(m, p.inFlight), 0);
  out.push(
    `schedule   late starts ${f.late ?? 0}  drop rate ${offered > 0 ? ((f.dropped / offered) * 100).toFixed(1) : '0.0'}%  peak in flight ${peak}`,
  );
  let requests = 0;
  for (const c of ENDPOINT_CLASSES) if (c !== 'flow') requests += report.endpoints[c]?.count ?? 0;
  const wire = report.harness.wire;
  out.push(
    `http       ${requests} requests  ${perSec(requests)}/s${wire ? `  sent ${bytes(wire.sentBytes)}  received ${bytes(wire.receivedBytes)}  ${wire.connections} connections opened` : ''}`,
  );
  // latency = from the intended start (coordinated-omission corrected); service = from the actual send.
  const rows: string[][] = [['endpoint', 'count', 'errors', 'min', 'mean', 'p50', 'p95', 'p99', 'max', 'service p99', 'queued p99 (ms)']];
  for (const c of ENDPOINT_CLASSES) {
    const e = report.endpoints[c];
    if (!e || e.count === 0) continue;
    const l = e.latencyMs;
    rows.push([
      c,
      String(e.count),
      String(e.errors),
      ms(l.min ?? 0),
      ms(l.mean),
      ms(l.p50),
      ms(l.p95),
      ms(l.p99),
      ms(l.max),
      ms(e.serviceMs.p99),
      e.queuedMs ? ms(e.queuedMs.p99) : '-',
    ]);
  }
  if (rows.length > 1) out.push(...table(rows, '  '));
  const failures = (Object.entries(report.failures) as Array<[FailureClass, number]>)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  out.push(`failures   ${failures.length === 0 ? 'none' : failures.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const samples = report.failureSamples ?? [];
  const sampleClasses = [...new Set(samples.map((x) => x.failureClass))];
  for (const [i, cls] of sampleClasses.slice(0, 5).entries()) {
    const ofClass = samples.filter((x) => x.failureClass === cls).slice(0, 2);
    const text = ofClass.map((x) => `trace ${x.traceId} (flow #${x.flowIndex}, ${x.phase}, ${x.endpoint})`).join(', ');
    out.push(`${i === 0 ? 'samples    ' : '           '}${cls}: ${clean(text)}`);
  }
  for (const e of report.expectedFailures ?? []) {
    out.push(`expected   ${e.failureClass}: ${e.count > 0 ? `seen ${e.count}` : 'NOT SEEN (the fault did not produce it)'}`);
  }
  if (report.thresholds.length === 0) out.push('thresholds none');
  report.thresholds.forEach((t, i) => {
    out.push(`${i === 0 ? 'thresholds ' : '           '}${t.ok ? 'PASS' : 'FAIL'} ${clean(t.expr)} (actual ${num(t.actual)}${t.detail ? `: ${clean(t.detail)}` : ''})`);
  });
  for (const r of report.regressions ?? []) {
    const unit = r.unit ?? 'ms';
    const v = r.skipped ? `SKIP (${r.skipped})` : `${r.ok ? 'PASS' : 'FAIL'} ${num(r.current)} ${unit} vs ${num(r.baseline)} ${unit}`;
    out.push(`regression ${r.endpoint} ${r.stat} ${unit === 'flows/s' ? '-' : '+'}${r.tolerancePct}%: ${v}`);
  }
  if (report.knee?.method === 'search') out.push(...searchLines(report));
  else if (report.knee) {
    const k = report.knee;
    const held = k.sustainedRatePerSec === null ? 'never held' : `sustained ${k.sustainedRatePerSec}/s`;
    const broke = k.brokeAtRatePerSec === null ? 'never broke' : `broke at ${k.brokeAtRatePerSec}/s`;
    out.push(`knee       ${held}, ${broke}${k.reason ? ` (${clean(k.reason)})` : ''}`);
  }
  for (const fo of report.faults ?? []) {
    const ttd = fo.timeToDetectMs === null ? 'not detected' : `detected after ${sec(fo.timeToDetectMs)}`;
    const ttr = fo.timeToRecoverMs === null ? 'not recovered' : `recovered ${sec(fo.timeToRecoverMs)} after it ended`;
    out.push(`fault      ${clean(fo.fault)} at ${sec(fo.atMs)} for ${sec(fo.forMs)}: ${ttd}, ${ttr}`);
  }
  out.push(...formatPkceLines(report), ...formatFindingLines(report));
  const burning = report.phases.filter((p) => p.burnRate !== undefined);
  if (burning.length > 0) {
    // Above 5× sustained, the burn-rate alert rules in deploy/prometheus page.
    const text = burning.map((p) => `${clean(p.name)} ${p.burnRate === null ? 'n/a' : `${num(p.burnRate ?? null)}×${(p.burnRate ?? 0) > 5 ? ' (PAGE)' : ''}`}`);
    out.push(`burn rate  ${text.join(', ')} (error rate ÷ SLO ${num(report.slo?.errorRate ?? null)})`);
  }
  const h = report.harness;
  if (h.verdict !== undefined && h.summary !== undefined) {
    out.push(`harness    ${h.bottleneck ? 'WARNING: ' : ''}${clean(h.summary)}`);
    const rest = h.reasons.filter((r) => !h.summary!.includes(r));
    if (rest.length > 0) out.push(`harness    note: ${clean(rest.join('; '))}`);
  } else if (h.bottleneck) out.push(`harness    WARNING: the harness may have been the bottleneck: ${clean(h.reasons.join('; ')) || 'see report'}`);
  else if (h.reasons.length > 0) out.push(`harness    note: ${clean(h.reasons.join('; '))}`);
  if (f.dropped > 0) out.push(`harness    ${f.dropped} flows dropped: no free slot at their scheduled start`);
  if (paths) out.push(`reports    ${paths.json}`, `           ${paths.html}`, `           ${paths.junit}`);
  const v = verdictOf(report);
  out.push(`result     ${v.verdict}${v.reasons.length > 0 ? `: ${clean(v.reasons.join(', '))}` : ''}`);
  return `${out.join('\n')}\n`;
}
