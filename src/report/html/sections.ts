/**
 * The static (non-chart) parts of report.html. Every table cell is escaped by {@link table} (only
 * markup built here is wrapped in {@link Html} and passed through), and every number is checked to
 * be a number when formatted: a report.json read back is input, and a string where a number
 * belongs is rendered as text, never as markup.
 */
import { loadDurationMs, verdictOf } from '../console.ts';
import { ENDPOINT_CLASSES, type EndpointClass, type FailureClass, type Report } from '../schema.ts';
import { presentEndpoints } from './chart-data.ts';
import { escapeHtml as e } from './escape.ts';

/** Markup built by this module (badges, muted spans): the one kind of cell {@link table} does not escape. */
class Html {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
}
type Cell = string | Html;

/** A finite number, or NaN for anything else (a string in a hostile report.json prints as '–'). */
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
/** A count as text: integers only, '–' for anything else. */
const count = (v: unknown): string => (Number.isFinite(n(v)) ? String(n(v)) : '–');

/** Milliseconds with 2/1/0 decimals below 10/100/above; '–' for none. */
export const fmtMs = (value: unknown): string => {
  const v = n(value);
  return Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
};
const fmtSec = (ms: unknown): string => (Number.isNaN(n(ms)) ? '–' : `${(n(ms) / 1000).toFixed(1)} s`);
const fmtNum = (v: unknown): string => (Number.isNaN(n(v)) ? 'n/a' : String(Math.round(n(v) * 1000) / 1000));
const fixed = (v: unknown, digits: number): string => (Number.isNaN(n(v)) ? '–' : n(v).toFixed(digits));
const badge = (ok: boolean, okText = 'PASS', badText = 'FAIL'): Html =>
  new Html(`<span class="badge ${ok === true ? 'ok' : 'bad'}">${ok === true ? okText : badText}</span>`);
const muted = (text: string): Html => new Html(`<span class="muted">${e(text)}</span>`);

function table(head: string[], rows: Cell[][], textCols: number[] = []): string {
  const th = head.map((h, i) => `<th${textCols.includes(i) ? ' class="text"' : ''}>${e(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${textCols.includes(i) ? ' class="text"' : ''}>${c instanceof Html ? c.html : e(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const section = (title: string, body: string, id?: string): string =>
  `<section${id ? ` id="${id}"` : ''}><h2>${e(title)}</h2>${body}</section>`;

/** Page header: scenario, run id, times, target. */
export function headerHtml(r: Report): string {
  const meta = [
    `run ${r.runId}`,
    `started ${r.startedAt}`,
    `${fixed(r.durationMs / 1000, 1)} s`,
    `${r.scenario.model} model, ${r.scenario.mode} mode`,
    `target ${r.target.kind} ${r.target.issuer} (client ${r.target.clientId})`,
    `faults: ${r.target.faults}`,
  ];
  if (r.scenario.file) meta.push(`file ${r.scenario.file}`);
  return `<header><h1>tokenstorm report: ${e(r.scenario.name)}</h1>
<div class="meta">${meta.map((m) => `<span>${e(m)}</span>`).join('')}</div>
${r.scenario.description ? `<p class="desc">${e(r.scenario.description)}</p>` : ''}</header>`;
}

/** The summary cards; the first one is the verdict. */
export function cardsHtml(r: Report): string {
  const v = verdictOf(r);
  // Per second of load, as the console: wind-down and a warmup are not in the denominator.
  const durSec = n(loadDurationMs(r)) / 1000;
  const finished = n(r.flows.completed) + n(r.flows.failed);
  const tokenOrFlow: EndpointClass = r.endpoints.token ? 'token' : 'flow';
  const card = (cls: string, label: string, value: string, sub: string): string =>
    `<div class="card ${cls}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="sub">${e(sub)}</div></div>`;
  const verdictClass = v.verdict === 'FAIL' ? 'fail' : v.partial ? 'partial' : 'pass';
  return `<div class="cards">
${card(verdictClass, 'Verdict', v.partial ? `${v.verdict} (partial)` : v.verdict, v.reasons.join(', ') || 'all thresholds met')}
${card('', 'Flows/s', durSec > 0 ? fixed(n(r.flows.completed) / durSec, 1) : '0', `${count(r.flows.completed)} completed in ${fixed(durSec, 1)} s`)}
${card('', 'Success', finished > 0 ? `${fixed((n(r.flows.completed) / finished) * 100, 2)}%` : '–', `${count(r.flows.failed)} failed, ${count(r.flows.dropped)} dropped`)}
${card('', `${tokenOrFlow} p95`, r.endpoints[tokenOrFlow] ? `${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.p95)} ms` : '–', r.endpoints[tokenOrFlow] ? `p99 ${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.p99)} ms, max ${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.max)} ms` : 'no samples')}
${card(r.harness.bottleneck ? 'partial' : '', 'Harness', r.harness.bottleneck ? 'bottleneck?' : 'ok', `${fixed(r.harness.cpuCores, 2)} cores, loop p99 ${fmtMs(r.harness.eventLoopDelayMs.p99)} ms`)}
</div>`;
}

/** Per-endpoint latency over the whole run. */
export function endpointsHtml(r: Report): string {
  const rows = presentEndpoints(r).map((c) => {
    const x = r.endpoints[c]!;
    const l = x.latencyMs;
    return [c, count(x.count), count(x.errors), ...[l.p50, l.p90, l.p95, l.p99, l.p999, l.max, l.mean].map(fmtMs), fmtMs(x.serviceMs.p95)];
  });
  if (rows.length === 0) return section('Endpoints', '<p class="muted">No samples recorded.</p>');
  return section(
    'Endpoints (latency in ms, from the intended start)',
    table(['endpoint', 'count', 'errors', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean', 'service p95'], rows),
  );
}

/** One row per phase with flows and p95 per endpoint. */
export function phasesHtml(r: Report): string {
  if (r.phases.length === 0) return '';
  const eps = ENDPOINT_CLASSES.filter((c) => r.phases.some((p) => (p.endpoints[c]?.count ?? 0) > 0));
  const burn = r.phases.some((p) => p.burnRate !== undefined);
  const rows = r.phases.map((p): Cell[] => [
    p.name,
    `${fmtSec(p.startMs)} – ${fmtSec(p.endMs)}`,
    p.faults.length ? p.faults.join(', ') : muted('none'),
    count(p.flows.started),
    count(p.flows.completed),
    count(p.flows.failed),
    count(p.flows.dropped),
    ...eps.map((c) => fmtMs(p.endpoints[c]?.latencyMs.p95)),
    ...(burn ? [burnHtml(p.burnRate), p.budgetConsumed == null ? '–' : `${fixed(n(p.budgetConsumed) * 100, 1)}%`] : []),
  ]);
  const head = ['phase', 'window', 'faults', 'started', 'completed', 'failed', 'dropped', ...eps.map((c) => `${c} p95`)];
  if (burn) head.push('SLO burn rate', 'error budget used');
  return section('Phases', table(head, rows, [2]));
}

// Above 5× the deploy/prometheus alert rules page (sustained over 30 min and 5 min).
const PAGE_BURN_RATE = 5;

function burnHtml(rate: number | null | undefined): Cell {
  if (rate == null || Number.isNaN(n(rate))) return '–';
  const text = `${fmtNum(rate)}×`;
  return rate > PAGE_BURN_RATE ? new Html(`<span class="badge bad">${e(text)}</span>`) : rate > 1 ? new Html(`<span class="badge skip">${e(text)}</span>`) : text;
}

/** Threshold outcomes. */
export function thresholdsHtml(r: Report): string {
  if (r.thresholds.length === 0) return section('Thresholds', '<p class="muted">No thresholds were set.</p>');
  const rows = r.thresholds.map((t): Cell[] => [
    t.expr,
    t.detail ? new Html(`${e(fmtNum(t.actual))} <span class="muted">${e(t.detail)}</span>`) : fmtNum(t.actual),
    badge(t.ok),
  ]);
  return section('Thresholds', table(['threshold', 'actual', 'result'], rows, [0]));
}

/** Regression checks against a baseline, when the run had one. */
export function regressionsHtml(r: Report): string {
  if (!r.regressions || r.regressions.length === 0) return '';
  const rows = r.regressions.map((c): Cell[] => [
    c.endpoint,
    c.stat,
    c.skipped ? '–' : `${fmtMs(c.baseline)}${c.unit === 'flows/s' ? ' /s' : ''}`,
    c.skipped ? '–' : `${fmtMs(c.current)}${c.unit === 'flows/s' ? ' /s' : ''}`,
    c.skipped || !(n(c.baseline) > 0) ? '–' : `${fixed(((n(c.current) - n(c.baseline)) / n(c.baseline)) * 100, 1)}%`,
    `${c.unit === 'flows/s' ? '−' : '+'}${fmtNum(c.tolerancePct)}%`,
    c.skipped ? new Html(`<span class="badge skip">SKIPPED</span> ${e(c.skipped)}`) : badge(c.ok, 'ok', 'REGRESSION'),
  ]);
  return section(r.regressions.some((c) => c.unit === 'flows/s') ? 'Regression checks (ms; the knee in flows/s)' : 'Regression checks (ms)', table(['endpoint', 'stat', 'baseline', 'current', 'change', 'tolerance', 'result'], rows, [6]));
}

/** The capacity knee, when the run computed one. */
export function kneeHtml(r: Report): string {
  if (!r.knee) return '';
  const k = r.knee;
  const slo = r.slo;
  const sloText = slo
    ? [slo.p95Ms !== undefined ? `${slo.endpoint ?? 'token'} p95 ≤ ${fmtNum(slo.p95Ms)} ms` : '', slo.errorRate !== undefined ? `error rate ≤ ${fmtNum(n(slo.errorRate) * 100)}%` : '']
        .filter(Boolean)
        .join(' and ')
    : '';
  if (k.method === 'search') return searchKneeHtml(r, sloText);
  const held = k.sustainedRatePerSec === null ? 'SLO never held' : `${fmtNum(k.sustainedRatePerSec)} flows/s sustained`;
  const broke = k.brokeAtRatePerSec === null ? 'did not break' : `broke at ${fmtNum(k.brokeAtRatePerSec)} flows/s`;
  return section(
    'Capacity knee',
    `<p class="bigknee">${e(held)}; ${e(broke)}</p>${sloText ? `<p>SLO: ${e(sloText)}</p>` : ''}${k.reason ? `<p class="muted">${e(k.reason)}</p>` : ''}`,
  );
}

/** A capacity search: the answer, the rate-vs-p95 chart with the SLO line, and the step table. */
function searchKneeHtml(r: Report, sloText: string): string {
  const k = r.knee!;
  const answer = k.sustainedRatePerSec === null ? (k.answer ?? 'no knee') : `knee ${k.answer ?? `${k.sustainedRatePerSec}/s`}`;
  const warn = k.harnessLimited
    ? '<div class="warn"><strong>Harness-limited</strong>: the harness, not the target, was the bottleneck; the knee is a lower bound.</div>'
    : '';
  const rows = (k.steps ?? []).map((s): Cell[] => {
    const verdict =
      s.verdict === 'ok' ? badge(true, 'ok').html : s.verdict === 'breach' ? badge(false, '', 'breach').html : '<span class="badge skip">harness-limited</span>';
    const why = s.verdict === 'harness-limited' ? s.harness : s.breach;
    return [
      count(s.index),
      String(s.kind),
      fmtNum(s.ratePerSec),
      `${fmtSec(s.startMs)} – ${fmtSec(s.endMs)}`,
      fmtMs(s.p95Ms),
      s.errorRate === null ? '–' : `${fixed(n(s.errorRate) * 100, 2)}%`,
      count(s.dropped),
      count(s.samples),
      new Html(`${verdict}${why ? ` ${e(String(why))}` : ''}${s.verdict !== 'harness-limited' && s.harness ? ` <span class="muted">(harness: ${e(String(s.harness))})</span>` : ''}`),
    ];
  });
  const resolution = k.targetResolutionPct !== undefined ? `; resolution asked ${fmtNum(k.targetResolutionPct)}%` : '';
  return section(
    'Capacity knee (search)',
    `<p class="bigknee" id="knee-answer">${e(answer)}</p>${sloText ? `<p>SLO: ${e(sloText)}${e(resolution)}</p>` : ''}${k.reason ? `<p class="muted">${e(k.reason)}</p>` : ''}${warn}` +
      '<div class="chart" id="chart-knee"></div>' +
      table(['step', 'kind', 'rate/s', 'window', 'p95 ms', 'error rate', 'dropped', 'samples', 'verdict'], rows, [8]),
    'knee',
  );
}

/** Game-day faults with time-to-detect and time-to-recover. */
export function faultsHtml(r: Report): string {
  if (!r.faults || r.faults.length === 0) return '';
  const rows = r.faults.map((f): Cell[] => [
    f.fault,
    f.phase,
    fmtSec(f.atMs),
    fmtSec(f.forMs),
    f.timeToDetectMs === null ? new Html('<span class="badge bad">not detected</span>') : fmtSec(f.timeToDetectMs),
    f.timeToRecoverMs === null ? new Html('<span class="badge bad">not recovered</span>') : fmtSec(f.timeToRecoverMs),
  ]);
  return section('Game-day faults', table(['fault', 'phase', 'at', 'for', 'time to detect', 'time to recover'], rows, [0, 1]));
}

/** Failure counts by class and the evidence kept for them. */
export function failuresHtml(r: Report): string {
  const counts = (Object.entries(r.failures) as Array<[FailureClass, number]>).filter(([, c]) => n(c) > 0).sort((a, b) => b[1] - a[1]);
  if (counts.length === 0) return section('Failures', '<p class="muted">No failures.</p>');
  const total = counts.reduce((a, [, c]) => a + c, 0);
  let body = table(['class', 'count', 'share'], counts.map(([k, c]) => [k, count(c), `${fixed((c / total) * 100, 1)}%`]));
  if (r.failureEvidence.length > 0) {
    body += `<h2 style="margin-top:14px">Evidence (first examples)</h2>${table(
      ['class', 'endpoint', 'status', 'error', 'socket', 'description'],
      r.failureEvidence.map((x) => [x.failureClass, x.endpoint, String(x.status ?? '–'), x.error ?? '–', x.socketCode ?? '–', x.description ?? '']),
      [5],
    )}`;
  }
  if (r.failureSamples && r.failureSamples.length > 0) {
    body += `<h2 style="margin-top:14px">Failed-flow samples (trace ids as sent in traceparent)</h2>${table(
      ['class', 'trace id', 'flow #', 'phase', 'at', 'endpoint', 'status', 'error', 'description'],
      r.failureSamples.map((x): Cell[] => [
        String(x.failureClass),
        new Html(`<code>${e(String(x.traceId))}</code>`),
        count(x.flowIndex),
        String(x.phase),
        fmtSec(x.atMs),
        String(x.endpoint),
        String(x.status ?? x.socketCode ?? '–'),
        String(x.error ?? '–'),
        String(x.description ?? ''),
      ]),
      [1, 8],
    )}`;
  }
  return section('Failures', body);
}

/** The harness watching itself. */
export function harnessHtml(r: Report): string {
  const h = r.harness;
  const rows: string[][] = [
    ['event-loop delay p50 / p99 / max', `${fmtMs(h.eventLoopDelayMs.p50)} / ${fmtMs(h.eventLoopDelayMs.p99)} / ${fmtMs(h.eventLoopDelayMs.max)} ms`],
    ['harness CPU', `${fixed(h.cpuCores, 2)} cores`],
    ['CPU per completed flow', h.cpuMsPerFlow === null ? '–' : `${fixed(h.cpuMsPerFlow, 3)} ms`],
    ['embedded IdP CPU', h.idpCpuCores === null ? '–' : `${fixed(h.idpCpuCores, 2)} cores`],
    ['verifier pool', `${count(h.verifierPool.workers)} workers, ${count(h.verifierPool.taken)} taken, ${count(h.verifierPool.waits)} waits`],
    ['flows started late / dropped', `${count(r.flows.late)} / ${count(r.flows.dropped)}`],
    ...(h.wire ? [['bytes sent / received, connections opened', `${count(h.wire.sentBytes)} / ${count(h.wire.receivedBytes)}, ${count(h.wire.connections)}`]] : []),
    ...(h.peakRssMb !== undefined ? [['harness peak RSS', `${fmtNum(h.peakRssMb)} MB`]] : []),
    ['node', String(h.node)],
  ];
  // The verdict sentence names the side (harness, its connection pool, or the target) when the report has one.
  const warn = h.summary !== undefined
    ? `<div class="${h.bottleneck ? 'warn' : 'muted'}">${h.bottleneck ? '<strong>Harness side</strong>: ' : ''}${e(String(h.summary))}.${h.bottleneck ? ' Treat the latencies as an upper bound.' : ''}</div>`
    : h.bottleneck
    ? `<div class="warn"><strong>The harness may have been the bottleneck</strong>: ${e(h.reasons.join('; ') || 'see the numbers above')}. Treat the latencies as an upper bound.</div>`
    : h.reasons.length > 0
      ? `<div class="warn">${e(h.reasons.join('; '))}</div>`
      : '<p class="muted">The harness kept up: no self-check warnings.</p>';
  return section('Harness self-check', table(['check', 'value'], rows) + warn);
}
