/**
 * The static (non-chart) parts of report.html. Every value from the report goes through
 * {@link escapeHtml}; numbers are formatted here.
 */
import { loadDurationMs, verdictOf } from '../console.ts';
import { ENDPOINT_CLASSES, type EndpointClass, type FailureClass, type Report } from '../schema.ts';
import { presentEndpoints } from './chart-data.ts';
import { escapeHtml as e } from './escape.ts';

/** Milliseconds with 2/1/0 decimals below 10/100/above; '–' for none. */
export const fmtMs = (v: number | null | undefined): string =>
  v == null ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const fmtSec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const fmtNum = (v: number | null): string => (v === null ? 'n/a' : String(Math.round(v * 1000) / 1000));
const badge = (ok: boolean, okText = 'PASS', badText = 'FAIL'): string =>
  `<span class="badge ${ok ? 'ok' : 'bad'}">${ok ? okText : badText}</span>`;

function table(head: string[], rows: string[][], textCols: number[] = []): string {
  const th = head.map((h, i) => `<th${textCols.includes(i) ? ' class="text"' : ''}>${e(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${textCols.includes(i) ? ' class="text"' : ''}>${c}</td>`).join('')}</tr>`)
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
    `${(r.durationMs / 1000).toFixed(1)} s`,
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
  const durSec = loadDurationMs(r) / 1000;
  const finished = r.flows.completed + r.flows.failed;
  const tokenOrFlow: EndpointClass = r.endpoints.token ? 'token' : 'flow';
  const card = (cls: string, label: string, value: string, sub: string): string =>
    `<div class="card ${cls}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="sub">${e(sub)}</div></div>`;
  const verdictClass = v.verdict === 'FAIL' ? 'fail' : v.partial ? 'partial' : 'pass';
  return `<div class="cards">
${card(verdictClass, 'Verdict', v.partial ? `${v.verdict} (partial)` : v.verdict, v.reasons.join(', ') || 'all thresholds met')}
${card('', 'Flows/s', durSec > 0 ? (r.flows.completed / durSec).toFixed(1) : '0', `${r.flows.completed} completed in ${durSec.toFixed(1)} s`)}
${card('', 'Success', finished > 0 ? `${((r.flows.completed / finished) * 100).toFixed(2)}%` : '–', `${r.flows.failed} failed, ${r.flows.dropped} dropped`)}
${card('', `${tokenOrFlow} p95`, r.endpoints[tokenOrFlow] ? `${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.p95)} ms` : '–', r.endpoints[tokenOrFlow] ? `p99 ${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.p99)} ms, max ${fmtMs(r.endpoints[tokenOrFlow]!.latencyMs.max)} ms` : 'no samples')}
${card(r.harness.bottleneck ? 'partial' : '', 'Harness', r.harness.bottleneck ? 'bottleneck?' : 'ok', `${r.harness.cpuCores.toFixed(2)} cores, loop p99 ${fmtMs(r.harness.eventLoopDelayMs.p99)} ms`)}
</div>`;
}

/** Per-endpoint latency over the whole run. */
export function endpointsHtml(r: Report): string {
  const rows = presentEndpoints(r).map((c) => {
    const x = r.endpoints[c]!;
    const l = x.latencyMs;
    return [e(c), String(x.count), String(x.errors), ...[l.p50, l.p90, l.p95, l.p99, l.p999, l.max, l.mean].map(fmtMs), fmtMs(x.serviceMs.p95)];
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
  const rows = r.phases.map((p) => [
    e(p.name),
    `${fmtSec(p.startMs)} – ${fmtSec(p.endMs)}`,
    p.faults.length ? e(p.faults.join(', ')) : '<span class="muted">none</span>',
    String(p.flows.started),
    String(p.flows.completed),
    String(p.flows.failed),
    String(p.flows.dropped),
    ...eps.map((c) => fmtMs(p.endpoints[c]?.latencyMs.p95)),
    ...(burn ? [burnHtml(p.burnRate), p.budgetConsumed == null ? '–' : `${(p.budgetConsumed * 100).toFixed(1)}%`] : []),
  ]);
  const head = ['phase', 'window', 'faults', 'started', 'completed', 'failed', 'dropped', ...eps.map((c) => `${c} p95`)];
  if (burn) head.push('SLO burn rate', 'error budget used');
  return section('Phases', table(head, rows, [2]));
}

// Above 5× the deploy/prometheus alert rules page (sustained over 30 min and 5 min).
const PAGE_BURN_RATE = 5;

function burnHtml(rate: number | null | undefined): string {
  if (rate == null) return '–';
  const text = `${fmtNum(rate)}×`;
  return rate > PAGE_BURN_RATE ? `<span class="badge bad">${e(text)}</span>` : rate > 1 ? `<span class="badge skip">${e(text)}</span>` : e(text);
}

/** Threshold outcomes. */
export function thresholdsHtml(r: Report): string {
  if (r.thresholds.length === 0) return section('Thresholds', '<p class="muted">No thresholds were set.</p>');
  const rows = r.thresholds.map((t) => [e(t.expr), fmtNum(t.actual), badge(t.ok)]);
  return section('Thresholds', table(['threshold', 'actual', 'result'], rows, [0]));
}

/** Regression checks against a baseline, when the run had one. */
export function regressionsHtml(r: Report): string {
  if (!r.regressions || r.regressions.length === 0) return '';
  const rows = r.regressions.map((c) => [
    e(c.endpoint),
    e(c.stat),
    c.skipped ? '–' : fmtMs(c.baseline),
    c.skipped ? '–' : fmtMs(c.current),
    c.skipped || c.baseline <= 0 ? '–' : `${(((c.current - c.baseline) / c.baseline) * 100).toFixed(1)}%`,
    `+${c.tolerancePct}%`,
    c.skipped ? `<span class="badge skip">SKIPPED</span> ${e(c.skipped)}` : badge(c.ok, 'ok', 'REGRESSION'),
  ]);
  return section('Regression checks (ms)', table(['endpoint', 'stat', 'baseline', 'current', 'change', 'tolerance', 'result'], rows, [6]));
}

/** The capacity knee, when the run computed one. */
export function kneeHtml(r: Report): string {
  if (!r.knee) return '';
  const k = r.knee;
  const slo = r.slo;
  const sloText = slo
    ? [slo.p95Ms !== undefined ? `${slo.endpoint ?? 'token'} p95 ≤ ${slo.p95Ms} ms` : '', slo.errorRate !== undefined ? `error rate ≤ ${slo.errorRate * 100}%` : '']
        .filter(Boolean)
        .join(' and ')
    : '';
  const held = k.sustainedRatePerSec === null ? 'SLO never held' : `${k.sustainedRatePerSec} flows/s sustained`;
  const broke = k.brokeAtRatePerSec === null ? 'did not break' : `broke at ${k.brokeAtRatePerSec} flows/s`;
  return section(
    'Capacity knee',
    `<p class="bigknee">${e(held)}; ${e(broke)}</p>${sloText ? `<p>SLO: ${e(sloText)}</p>` : ''}${k.reason ? `<p class="muted">${e(k.reason)}</p>` : ''}`,
  );
}

/** Game-day faults with time-to-detect and time-to-recover. */
export function faultsHtml(r: Report): string {
  if (!r.faults || r.faults.length === 0) return '';
  const rows = r.faults.map((f) => [
    e(f.fault),
    e(f.phase),
    fmtSec(f.atMs),
    fmtSec(f.forMs),
    f.timeToDetectMs === null ? '<span class="badge bad">not detected</span>' : fmtSec(f.timeToDetectMs),
    f.timeToRecoverMs === null ? '<span class="badge bad">not recovered</span>' : fmtSec(f.timeToRecoverMs),
  ]);
  return section('Game-day faults', table(['fault', 'phase', 'at', 'for', 'time to detect', 'time to recover'], rows, [0, 1]));
}

/** Failure counts by class and the evidence kept for them. */
export function failuresHtml(r: Report): string {
  const counts = (Object.entries(r.failures) as Array<[FailureClass, number]>).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (counts.length === 0) return section('Failures', '<p class="muted">No failures.</p>');
  const total = counts.reduce((a, [, n]) => a + n, 0);
  let body = table(['class', 'count', 'share'], counts.map(([k, n]) => [e(k), String(n), `${((n / total) * 100).toFixed(1)}%`]));
  if (r.failureEvidence.length > 0) {
    body += `<h2 style="margin-top:14px">Evidence (first examples)</h2>${table(
      ['class', 'endpoint', 'status', 'error', 'socket', 'description'],
      r.failureEvidence.map((x) => [e(x.failureClass), e(x.endpoint), e(x.status ?? '–'), e(x.error ?? '–'), e(x.socketCode ?? '–'), e(x.description ?? '')]),
      [5],
    )}`;
  }
  if (r.failureSamples && r.failureSamples.length > 0) {
    body += `<h2 style="margin-top:14px">Failed-flow samples (trace ids as sent in traceparent)</h2>${table(
      ['class', 'trace id', 'flow #', 'phase', 'at', 'endpoint', 'status', 'error', 'description'],
      r.failureSamples.map((x) => [
        e(x.failureClass),
        `<code>${e(x.traceId)}</code>`,
        String(x.flowIndex),
        e(x.phase),
        fmtSec(x.atMs),
        e(x.endpoint),
        e(x.status ?? x.socketCode ?? '–'),
        e(x.error ?? '–'),
        e(x.description ?? ''),
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
    ['harness CPU', `${h.cpuCores.toFixed(2)} cores`],
    ['CPU per completed flow', h.cpuMsPerFlow === null ? '–' : `${h.cpuMsPerFlow.toFixed(3)} ms`],
    ['embedded IdP CPU', h.idpCpuCores === null ? '–' : `${h.idpCpuCores.toFixed(2)} cores`],
    ['verifier pool', `${h.verifierPool.workers} workers, ${h.verifierPool.taken} taken, ${h.verifierPool.waits} waits`],
    ['flows started late / dropped', `${r.flows.late} / ${r.flows.dropped}`],
    ...(h.wire ? [['bytes sent / received, connections opened', `${h.wire.sentBytes} / ${h.wire.receivedBytes}, ${h.wire.connections}`]] : []),
    ...(h.peakRssMb !== undefined ? [['harness peak RSS', `${h.peakRssMb} MB`]] : []),
    ['node', e(h.node)],
  ].map(([k, v]) => [e(k!), v!]);
  // The verdict sentence names the side (harness, its connection pool, or the target) when the report has one.
  const warn = h.summary !== undefined
    ? `<div class="${h.bottleneck ? 'warn' : 'muted'}">${h.bottleneck ? '<strong>Harness side</strong>: ' : ''}${e(h.summary)}.${h.bottleneck ? ' Treat the latencies as an upper bound.' : ''}</div>`
    : h.bottleneck
    ? `<div class="warn"><strong>The harness may have been the bottleneck</strong>: ${e(h.reasons.join('; ') || 'see the numbers above')}. Treat the latencies as an upper bound.</div>`
    : h.reasons.length > 0
      ? `<div class="warn">${e(h.reasons.join('; '))}</div>`
      : '<p class="muted">The harness kept up: no self-check warnings.</p>';
  return section('Harness self-check', table(['check', 'value'], rows) + warn);
}
