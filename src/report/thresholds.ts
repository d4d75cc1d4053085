/**
 * Thresholds in k6's syntax, per endpoint class: `token:p(95)<200`, `flow:rate(failed)<0.01`,
 * `authorize:max<=1000`, `token:count>=100` (`med` = p(50), `min` = p(0), `mean` = avg), and
 * `knee>=250` (the capacity knee, flows/s). Latency values are ms, rates 0..1. Percentiles come
 * from the stored HDR histogram, so any p(N) works, not only the ones the report lists.
 */
import { decodeHistogram } from '../metrics/hdr.ts';
import { TokenstormError } from '../errors.ts';
import { nearest } from '../suggest.ts';
import { ENDPOINT_CLASSES } from './schema.ts';
import { kneeProblem } from './search-knee.ts';
import type { EndpointClass, EndpointReport, LatencySummary, Report, ThresholdResult } from './schema.ts';

/** Comparison operators k6 accepts. */
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

/** What a threshold measures. */
export type ThresholdMetric =
  | { kind: 'percentile'; percentile: number }
  | { kind: 'avg' }
  | { kind: 'max' }
  | { kind: 'rate_failed' }
  | { kind: 'rate_dropped' }
  | { kind: 'count' }
  /** `knee>=N`: the capacity knee in flows/s (report.knee). */
  | { kind: 'knee' };

/** A parsed threshold expression. */
export interface ParsedThreshold {
  /** The expression as written (reports show it verbatim). */
  expr: string;
  endpoint: EndpointClass;
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

const METRICS_HELP = 'use p(N), avg, med, min, max, rate(failed), rate(dropped) or count';
const NAMED_METRICS = ['avg', 'mean', 'med', 'min', 'max', 'count', 'rate(failed)', 'rate(dropped)'];
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const OPERATOR = /<=|>=|==|!=|<|>|=/;

/**
 * Parses `<endpoint>:<metric><op><number>`; whitespace anywhere between parts is fine. Throws
 * `ERR_THRESHOLD_INVALID` with the expression and what is wrong with it.
 *
 * @example
 * parseThreshold('token: p(95) < 200');
 * // { expr: 'token: p(95) < 200', endpoint: 'token', metric: { kind: 'percentile', percentile: 95 }, op: '<', value: 200 }
 */
export function parseThreshold(expr: string): ParsedThreshold {
  const problem = (what: string): TokenstormError =>
    new TokenstormError('ERR_THRESHOLD_INVALID', `threshold ${JSON.stringify(expr)}: ${what}`);
  if (typeof expr !== 'string') throw new TokenstormError('ERR_THRESHOLD_INVALID', 'a threshold must be a string');
  if (/^\s*knee\b/.test(expr)) {
    const kneeProblem = (what: string): TokenstormError =>
      new TokenstormError('ERR_THRESHOLD_INVALID', `threshold ${JSON.stringify(expr)}: ${what}`, { hint: "the knee is in flows/s, e.g. 'knee>=250'" });
    return parseKnee(expr, kneeProblem);
  }
  const colon = expr.indexOf(':');
  if (colon < 0) throw problem(`missing '<endpoint>:' prefix (e.g. 'token:p(95)<200')`);
  const endpointText = expr.slice(0, colon).trim();
  if (!(ENDPOINT_CLASSES as readonly string[]).includes(endpointText)) {
    const guess = nearest(endpointText, ENDPOINT_CLASSES);
    const hint = guess ? `did you mean ${guess}?` : `one of ${ENDPOINT_CLASSES.join(', ')}`;
    throw problem(`unknown endpoint ${JSON.stringify(endpointText)} (${hint})`);
  }
  const rest = expr.slice(colon + 1);
  const opMatch = OPERATOR.exec(rest);
  if (opMatch === null) throw problem('missing comparison (<, <=, >, >=, ==)');
  const opText = opMatch[0];
  if (opText === '=' || opText === '!=') throw problem(`'${opText}' is not a comparison (use <, <=, >, >= or ==)`);
  const metricText = rest.slice(0, opMatch.index).replace(/\s+/g, '');
  const valueText = rest.slice(opMatch.index + opText.length).trim();
  if (metricText === '') throw problem(`missing metric before '${opText}' (${METRICS_HELP})`);
  const metric = parseMetric(metricText, problem);
  if (!NUMBER.test(valueText)) throw problem(`${JSON.stringify(valueText)} is not a number`);
  const value = Number(valueText);
  if ((metric.kind === 'rate_failed' || metric.kind === 'rate_dropped') && (value < 0 || value > 1)) {
    throw problem(`${metricText} is a ratio 0..1 (got ${value}; 1% is 0.01)`);
  }
  if (metric.kind === 'rate_dropped' && endpointText !== 'flow') throw problem('rate(dropped) is measured on flow (flow:rate(dropped)<0.01)');
  return { expr, endpoint: endpointText as EndpointClass, metric, op: opText as ThresholdOp, value };
}

/** `knee>=N` (flows/s): the capacity knee gates a pipeline on capacity. */
function parseKnee(expr: string, problem: (what: string) => TokenstormError): ParsedThreshold {
  const rest = expr.replace(/^\s*knee/, '');
  const m = /^\s*(<=|>=|==|<|>)\s*(.*?)\s*$/.exec(rest);
  if (m === null) throw problem('the knee needs a comparison (<, <=, >, >=, ==) and a rate');
  if (!NUMBER.test(m[2]!)) throw problem(`${JSON.stringify(m[2])} is not a number`);
  return { expr, endpoint: 'flow', metric: { kind: 'knee' }, op: m[1] as ThresholdOp, value: Number(m[2]) };
}

function parseMetric(text: string, problem: (what: string) => TokenstormError): ThresholdMetric {
  const pct = /^p\((.*)\)$/.exec(text);
  if (pct) {
    const n = pct[1] as string;
    if (!NUMBER.test(n)) throw problem(`p(${n}) needs a number, e.g. p(95)`);
    const percentile = Number(n);
    if (percentile < 0 || percentile > 100) throw problem(`percentile ${percentile} is out of range (0-100)`);
    return { kind: 'percentile', percentile };
  }
  switch (text) {
    case 'avg':
    case 'mean':
      return { kind: 'avg' };
    case 'med':
      return { kind: 'percentile', percentile: 50 };
    case 'min':
      // The report keeps no minimum field, but the histogram's 0th percentile is the smallest sample.
      return { kind: 'percentile', percentile: 0 };
    case 'max':
      return { kind: 'max' };
    case 'count':
      return { kind: 'count' };
    case 'rate(failed)':
      return { kind: 'rate_failed' };
    case 'rate(dropped)':
      return { kind: 'rate_dropped' };
  }
  const shorthand = /^p(\d+(?:\.\d+)?)$/.exec(text);
  if (shorthand) throw problem(`unknown metric ${JSON.stringify(text)} (did you mean p(${shorthand[1]})?)`);
  const guess = nearest(text, NAMED_METRICS);
  throw problem(`unknown metric ${JSON.stringify(text)} (${guess ? `did you mean ${guess}? ` : ''}${METRICS_HELP})`);
}

/** Report fields thresholds read. */
export type ThresholdInput = Pick<Report, 'endpoints' | 'flows'> & Partial<Pick<Report, 'knee'>>;

/**
 * Evaluates each expression against a report. A threshold on an endpoint with no samples is not
 * met (`ok: false, actual: null`): a gate must not pass because nothing was measured.
 *
 * @example
 * evaluateThresholds(['token:p(95)<200'], report); // [{ expr: 'token:p(95)<200', ok: true, actual: 143.2 }]
 */
export function evaluateThresholds(exprs: readonly string[], report: ThresholdInput): ThresholdResult[] {
  const decoded = new Map<string, Decoded | null>();
  return exprs.map((expr) => {
    const t = parseThreshold(expr);
    if (t.metric.kind === 'knee') return kneeThreshold(t, report);
    const actual = measure(t, report, decoded);
    return { expr, ok: actual !== null && compare(actual, t.op, t.value), actual };
  });
}

/**
 * `knee>=N`: met when the knee is a number that compares. A knee that is only a lower bound
 * (harness-limited, interrupted) can prove `knee>=N` but not disprove it: it then fails with the
 * reason as `detail`, like a run with no knee at all.
 */
function kneeThreshold(t: ParsedThreshold, report: ThresholdInput): ThresholdResult {
  const actual = report.knee?.sustainedRatePerSec ?? null;
  const problem = kneeProblem(report.knee);
  const lowerBoundProves = problem !== null && actual !== null && (t.op === '>=' || t.op === '>') && compare(actual, t.op, t.value);
  const ok = actual !== null && (problem === null || lowerBoundProves) && compare(actual, t.op, t.value);
  return { expr: t.expr, ok, actual, ...(problem !== null ? { detail: problem } : {}) };
}

/** The measured value a threshold compares, or null when there is nothing to compare. */
export function measure(
  t: ParsedThreshold,
  report: ThresholdInput,
  cache: Map<string, Decoded | null> = new Map(),
): number | null {
  const ep = report.endpoints[t.endpoint];
  if (t.metric.kind === 'rate_failed' && t.endpoint === 'flow') {
    // A flow's failure can happen at any step, so the flow counters are the truth, not endpoint errors.
    const finished = report.flows.completed + report.flows.failed;
    return finished > 0 ? report.flows.failed / finished : null;
  }
  if (t.metric.kind === 'rate_dropped') {
    // Arrivals that found no free slot (or no banked code): the overload the open model exposes.
    const arrivals = report.flows.started + report.flows.dropped;
    return arrivals > 0 ? report.flows.dropped / arrivals : null;
  }
  if (ep === undefined || ep.count === 0) return null;
  switch (t.metric.kind) {
    case 'count':
      return ep.count;
    case 'rate_failed':
      return ep.errors / ep.count;
    case 'avg':
      return fromHdr(ep, t.endpoint, cache, (h) => h.mean) ?? ep.latencyMs.mean;
    case 'max':
      return fromHdr(ep, t.endpoint, cache, (h) => h.maxValue) ?? ep.latencyMs.max;
    case 'knee':
      return report.knee?.sustainedRatePerSec ?? null;
    case 'percentile': {
      const p = t.metric.percentile;
      return fromHdr(ep, t.endpoint, cache, (h) => h.getValueAtPercentile(p)) ?? listedPercentile(ep.latencyMs, p);
    }
  }
}

/** The subset of a decoded HDR histogram used here (values in µs). */
export interface Decoded {
  totalCount: number;
  mean: number;
  maxValue: number;
  getValueAtPercentile(p: number): number;
}

function fromHdr(
  ep: EndpointReport,
  endpoint: string,
  cache: Map<string, Decoded | null>,
  pick: (h: Decoded) => number,
): number | null {
  if (!cache.has(endpoint)) cache.set(endpoint, decode(ep.hdr));
  const h = cache.get(endpoint);
  if (!h || h.totalCount === 0) return null;
  return pick(h) / 1000;
}

function decode(hdr: string | undefined): Decoded | null {
  if (!hdr) return null;
  try {
    return decodeHistogram(hdr);
  } catch {
    // A damaged histogram falls back to the summary fields rather than failing the whole gate.
    return null;
  }
}

function listedPercentile(s: LatencySummary, p: number): number | null {
  const listed: Record<number, number> = { 50: s.p50, 90: s.p90, 95: s.p95, 99: s.p99, 99.9: s.p999, 100: s.max };
  return listed[p] ?? null;
}

function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
  }
}
