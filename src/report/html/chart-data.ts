/**
 * Turns a report into chart-ready arrays (uPlot's aligned columns), computed in Node so the page
 * needs no histogram decoder: the percentile spectrum is decoded from the stored HDR histograms here.
 */
import { decodeHistogram } from '../../metrics/hdr.ts';
import { ENDPOINT_CLASSES, type EndpointClass, type FailureClass, type Report } from '../schema.ts';

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  color: string;
  /** Fill under the line (CSS colour); stacked charts use opaque fills. */
  fill?: string;
  dash?: number[];
  width?: number;
  /** Draw a marker at each value (the knee chart's steps). */
  points?: boolean;
  values: Array<number | null>;
  /** Stacked charts: the unstacked values shown in the legend. */
  raw?: number[];
}

/** One chart as the page script draws it. */
export interface ChartSpec {
  id: 'latency' | 'spectrum' | 'throughput' | 'failures' | 'knee';
  title: string;
  /** `time`: x in seconds since start; `percentile`: x = 1/(1-p), log scale (HdrHistogram's plot); `rate`: flows/s. */
  xKind: 'time' | 'percentile' | 'rate';
  yLabel: string;
  yLog: boolean;
  x: number[];
  series: ChartSeries[];
  /** Fault phases to shade, in x units (seconds). */
  shades: Array<{ from: number; to: number; label: string }>;
  /** Shown instead of a chart when there is nothing to draw. */
  empty?: string;
}

/** Endpoint colours, stable across charts and reports. */
export const ENDPOINT_COLORS: Record<EndpointClass, string> = {
  par: '#a16207',
  authorize: '#2563eb',
  login: '#7c3aed',
  consent: '#db2777',
  callback: '#0891b2',
  token: '#ea580c',
  refresh: '#65a30d',
  flow: '#374151',
};

const FAILURE_PALETTE = ['#ef4444', '#f59e0b', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#64748b', '#14b8a6'];

/** Endpoints with samples, in the canonical order. */
export function presentEndpoints(report: Report): EndpointClass[] {
  return ENDPOINT_CLASSES.filter((e) => (report.endpoints[e]?.count ?? 0) > 0);
}

/** A positive value or null: log scales cannot show 0. */
const pos = (v: number | undefined): number | null => (v !== undefined && v > 0 ? v : null);

function shadesOf(report: Report): ChartSpec['shades'] {
  return report.phases
    .filter((p) => p.faults.length > 0)
    .map((p) => ({ from: p.startMs / 1000, to: p.endMs / 1000, label: `${p.name}: ${p.faults.join(', ')}` }));
}

function latencyChart(report: Report, endpoints: EndpointClass[], shades: ChartSpec['shades']): ChartSpec {
  const x = report.series.map((p) => p.t);
  const series: ChartSeries[] = [];
  for (const e of endpoints) {
    series.push({ label: `${e} p95`, color: ENDPOINT_COLORS[e], width: 2, values: report.series.map((p) => pos(p.endpoints[e]?.p95)) });
    series.push({
      label: `${e} p99`,
      color: ENDPOINT_COLORS[e],
      width: 1,
      dash: [4, 4],
      values: report.series.map((p) => pos(p.endpoints[e]?.p99)),
    });
  }
  return { id: 'latency', title: 'Latency over time (p95 solid, p99 dashed)', xKind: 'time', yLabel: 'ms', yLog: true, x, series, shades };
}

/**
 * Percentile spectrum: x = 1/(1-p) from 1 (p0) to the largest count (beyond it a percentile is
 * just the max), 20 points per decade, like HdrHistogram's percentile plotter.
 */
function spectrumChart(report: Report, endpoints: EndpointClass[]): ChartSpec {
  const maxCount = Math.max(1, ...endpoints.map((e) => report.endpoints[e]!.count));
  const decades = Math.min(6, Math.max(1, Math.ceil(Math.log10(maxCount))));
  const x: number[] = [];
  for (let k = 0; k <= decades * 20; k++) x.push(10 ** (k / 20));
  const series: ChartSeries[] = [];
  for (const e of endpoints) {
    const ep = report.endpoints[e]!;
    let values: Array<number | null>;
    try {
      const h = decodeHistogram(ep.hdr);
      values = x.map((v) => pos(h.getValueAtPercentile(100 * (1 - 1 / v)) / 1000));
    } catch {
      // A damaged histogram loses its line, not the whole report.
      values = x.map(() => null);
    }
    series.push({ label: e, color: ENDPOINT_COLORS[e], width: 2, values });
  }
  return { id: 'spectrum', title: 'Latency by percentile', xKind: 'percentile', yLabel: 'ms', yLog: true, x, series, shades: [] };
}

function throughputChart(report: Report, shades: ChartSpec['shades']): ChartSpec {
  const x = report.series.map((p) => p.t);
  const line = (label: string, color: string, fill: string, key: 'completed' | 'failed' | 'dropped'): ChartSeries => ({
    label,
    color,
    fill,
    width: 2,
    values: report.series.map((p) => p[key]),
  });
  return {
    id: 'throughput',
    title: 'Flows per second',
    xKind: 'time',
    yLabel: 'flows/s',
    yLog: false,
    x,
    series: [
      line('completed', '#16a34a', 'rgba(22,163,74,0.08)', 'completed'),
      line('failed', '#dc2626', 'rgba(220,38,38,0.10)', 'failed'),
      line('dropped', '#d97706', 'rgba(217,119,6,0.10)', 'dropped'),
    ],
    shades,
  };
}

/** Failures per second by class, stacked: each line is the running sum, drawn top-down. */
function failuresChart(report: Report, shades: ChartSpec['shades']): ChartSpec {
  const x = report.series.map((p) => p.t);
  const classes = (Object.entries(report.failures) as Array<[FailureClass, number]>)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
  const spec: ChartSpec = { id: 'failures', title: 'Failures per second by class (stacked)', xKind: 'time', yLabel: 'failures/s', yLog: false, x, series: [], shades };
  if (classes.length === 0 || x.length === 0) return { ...spec, empty: 'No failures recorded.' };
  const cum = x.map(() => 0);
  const stacked: ChartSeries[] = classes.map((c, i) => {
    const raw = report.series.map((p) => p.failures[c] ?? 0);
    raw.forEach((v, j) => {
      cum[j]! += v;
    });
    const color = FAILURE_PALETTE[i % FAILURE_PALETTE.length]!;
    return { label: c, color, fill: color, width: 1, values: [...cum], raw };
  });
  // uPlot paints in order; the largest running sum first so each class shows as its own band.
  return { ...spec, series: stacked.reverse() };
}

/**
 * A capacity search's steps as rate vs p95 of the SLO endpoint (sorted by rate: bisection steps
 * fill in between growth steps), with the SLO limit as a dashed line. Null without search steps.
 */
export function kneeChart(report: Report): ChartSpec | null {
  const steps = [...(report.knee?.steps ?? [])].sort((a, b) => a.ratePerSec - b.ratePerSec || a.index - b.index);
  if (steps.length === 0) return null;
  const endpoint = report.slo?.endpoint ?? 'token';
  const x = steps.map((s) => s.ratePerSec);
  const series: ChartSeries[] = [
    { label: `${endpoint} p95`, color: ENDPOINT_COLORS[endpoint], width: 2, points: true, values: steps.map((s) => pos(s.p95Ms ?? undefined)) },
  ];
  if (report.slo?.p95Ms !== undefined) {
    const limit = report.slo.p95Ms;
    series.push({ label: `SLO ${limit} ms`, color: '#dc2626', width: 1.5, dash: [6, 4], values: steps.map(() => limit) });
  }
  return { id: 'knee', title: `Capacity search: ${endpoint} p95 by step rate`, xKind: 'rate', yLabel: 'ms', yLog: true, x, series, shades: [] };
}

/** Every chart of the report, in page order (the knee chart last, when the run searched). */
export function buildCharts(report: Report): ChartSpec[] {
  const endpoints = presentEndpoints(report);
  const shades = shadesOf(report);
  const knee = kneeChart(report);
  const charts = [latencyChart(report, endpoints, shades), spectrumChart(report, endpoints), throughputChart(report, shades), failuresChart(report, shades), ...(knee ? [knee] : [])];
  for (const c of charts) {
    if (c.empty === undefined && (c.x.length === 0 || c.series.length === 0)) c.empty = 'No samples recorded.';
  }
  return charts;
}
