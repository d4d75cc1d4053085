/**
 * The baseline gate: compares two reports' stored HDR histograms and flags latency regressions.
 * Percentiles are recomputed from the `hdr` histograms (not the rounded summaries), so any stat can
 * be compared, including ones a report did not summarise.
 */
import { readFile, stat } from 'node:fs/promises';
import { TokenstormError } from '../errors.ts';
import { decodeHistogram } from '../metrics/hdr.ts';
import { reportSchemaProblem } from './validate-report.ts';
import { ENDPOINT_CLASSES, type EndpointClass, type EndpointReport, REPORT_SCHEMA, type RegressionCheck, type Report } from './schema.ts';

/** Latency stats `compare` understands. */
export const COMPARE_STATS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;
export type CompareStat = (typeof COMPARE_STATS)[number];

/** Fewer samples than this on either side and a percentile says nothing; the check is skipped. */
export const MIN_COMPARE_SAMPLES = 20;

/** Options for {@link compareReports}. */
export interface CompareOptions {
  /** Allowed increase in percent (10 = current may be up to 1.10 × baseline). */
  tolerancePct: number;
  /** Default ['p95']. */
  stats?: string[];
  /** Default: every endpoint with samples in both reports; none when both searched for a knee. */
  endpoints?: EndpointClass[];
  /** Compare capacity knees (a drop beyond tolerance is a regression). Default: when both reports searched for one. */
  knee?: boolean;
}

/** A stat's value in ms from an encoded µs histogram. */
function statMs(hdr: string, stat: CompareStat): number {
  const h = decodeHistogram(hdr);
  const us =
    stat === 'max'
      ? h.maxValue
      : stat === 'mean'
        ? h.mean
        : h.getValueAtPercentile(stat === 'p999' ? 99.9 : Number(stat.slice(1)));
  return Math.round(us) / 1000;
}

function skipReason(b: EndpointReport | undefined, c: EndpointReport | undefined): string | null {
  const bc = b?.count ?? 0;
  const cc = c?.count ?? 0;
  if (bc < MIN_COMPARE_SAMPLES || cc < MIN_COMPARE_SAMPLES) {
    return `too few samples (baseline ${bc}, current ${cc}; need ${MIN_COMPARE_SAMPLES})`;
  }
  if (!b?.hdr || !c?.hdr) return 'no histogram stored';
  return null;
}

/**
 * One check per endpoint × stat: a regression when `current > baseline × (1 + tolerancePct/100)`.
 * Endpoints with fewer than {@link MIN_COMPARE_SAMPLES} samples on either side come back with
 * `skipped` set and `ok: true`. Throws ERR_USAGE for an unknown stat.
 *
 * @example
 * const checks = compareReports(baseline, current, { tolerancePct: 10, stats: ['p95', 'p99'] });
 * if (checks.some((c) => !c.ok)) process.exitCode = 1;
 */
export function compareReports(baseline: Report, current: Report, opts: CompareOptions): RegressionCheck[] {
  const stats = opts.stats ?? ['p95'];
  for (const s of stats) {
    if (!(COMPARE_STATS as readonly string[]).includes(s)) {
      throw new TokenstormError('ERR_USAGE', `unknown stat '${s}'`, { hint: `use one of ${COMPARE_STATS.join(', ')}` });
    }
  }
  // Two searches' latencies depend on which steps each ran: by default they are compared on the knee alone.
  const bothSearched = baseline.knee?.method === 'search' && current.knee?.method === 'search';
  const endpoints =
    opts.endpoints ??
    (bothSearched ? [] : ENDPOINT_CLASSES.filter((e) => (baseline.endpoints[e]?.count ?? 0) > 0 && (current.endpoints[e]?.count ?? 0) > 0));
  const checks: RegressionCheck[] = [];
  for (const endpoint of endpoints) {
    const b = baseline.endpoints[endpoint];
    const c = current.endpoints[endpoint];
    const skip = skipReason(b, c);
    for (const stat of stats as CompareStat[]) {
      const base = { endpoint, stat, tolerancePct: opts.tolerancePct };
      if (skip !== null || !b || !c) {
        checks.push({ ...base, baseline: 0, current: 0, ok: true, skipped: skip ?? 'missing' });
        continue;
      }
      const bv = statMs(b.hdr, stat);
      const cv = statMs(c.hdr, stat);
      checks.push({ ...base, baseline: bv, current: cv, ok: !(cv > bv * (1 + opts.tolerancePct / 100)) });
    }
  }
  if (opts.knee ?? bothSearched) checks.push(kneeCheck(baseline, current, opts.tolerancePct));
  return checks;
}

/**
 * The knee gate: a regression when the current knee is below `baseline × (1 − tolerancePct/100)`.
 * A current run whose SLO never held is a knee of 0; a baseline without a knee cannot be compared.
 */
function kneeCheck(baseline: Report, current: Report, tolerancePct: number): RegressionCheck {
  const base = { endpoint: 'flow' as const, stat: 'knee', tolerancePct, unit: 'flows/s' as const };
  const b = baseline.knee?.sustainedRatePerSec ?? null;
  if (b === null || !current.knee) {
    return { ...base, baseline: 0, current: 0, ok: true, skipped: b === null ? 'the baseline has no knee' : 'this run has no knee' };
  }
  const c = current.knee.sustainedRatePerSec ?? 0;
  return { ...base, baseline: b, current: c, ok: !(c < b * (1 - tolerancePct / 100)) };
}

/**
 * Parses a tolerance: '10%', '10' and '2.5%' are percent. Throws ERR_USAGE otherwise.
 *
 * @example
 * parseTolerance('10%'); // 10
 */
export function parseTolerance(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) {
    throw new TokenstormError('ERR_USAGE', `--tolerance must be a percentage like 10% (got '${text}')`);
  }
  return Number(m[1]);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * A fixed-width table of checks for the console, ending with a one-line verdict.
 *
 * @example
 * process.stdout.write(formatCompareTable(checks));
 */
export function formatCompareTable(checks: RegressionCheck[]): string {
  const rows: string[][] = [['endpoint', 'stat', 'baseline', 'current', 'change', 'limit', 'result']];
  for (const c of checks) {
    if (c.skipped) {
      rows.push([c.endpoint, c.stat, '-', '-', '-', `${c.unit === 'flows/s' ? '-' : '+'}${c.tolerancePct}%`, `skipped: ${c.skipped}`]);
      continue;
    }
    const change = c.baseline > 0 ? ((c.current - c.baseline) / c.baseline) * 100 : c.current > 0 ? Infinity : 0;
    const unit = c.unit ?? 'ms';
    rows.push([
      c.endpoint,
      c.stat,
      `${c.baseline.toFixed(2)} ${unit}`,
      `${c.current.toFixed(2)} ${unit}`,
      `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`,
      unit === 'flows/s' ? `-${c.tolerancePct}%` : `+${c.tolerancePct}%`,
      c.ok ? 'ok' : 'REGRESSION',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const failed = checks.filter((c) => !c.ok).length;
  const compared = checks.filter((c) => !c.skipped).length;
  const skipped = checks.length - compared;
  const verdict =
    failed > 0
      ? `REGRESSION: ${failed} of ${compared} checks over tolerance`
      : `ok: ${compared} check${compared === 1 ? '' : 's'} within tolerance`;
  return `${lines.join('\n')}\n${verdict}${skipped > 0 ? ` (${skipped} skipped)` : ''}\n`;
}

/** Largest report.json read back, bytes (a 24 h run's report is a few MB). */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/**
 * Reads and validates a report.json. Every problem is a one-line ERR_REPORT_INVALID naming the file.
 *
 * @example
 * const baseline = await loadReport('reports/baseline/report.json');
 */
export async function loadReport(path: string): Promise<Report> {
  let text: string;
  try {
    // Input like any other: a huge file is refused before it is read.
    const size = (await stat(path)).size;
    if (size > MAX_REPORT_BYTES) {
      throw new TokenstormError('ERR_REPORT_INVALID', `${path} is ${size} bytes; a report.json may be at most ${MAX_REPORT_BYTES} bytes`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof TokenstormError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new TokenstormError('ERR_REPORT_INVALID', `cannot read report ${path}: ${why}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TokenstormError('ERR_REPORT_INVALID', `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const problem = reportProblem(data) ?? reportSchemaProblem(data);
  if (problem) throw new TokenstormError('ERR_REPORT_INVALID', `${path} is not a tokenstorm report: ${problem}`);
  return data as Report;
}

/** The first structural problem of a parsed report.json, or null. Checks what consumers rely on. */
export function reportProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'top level is not an object';
  const r = data as Record<string, unknown>;
  if (r.schema !== REPORT_SCHEMA) {
    return `schema is ${JSON.stringify(r.schema ?? null)}, expected "${REPORT_SCHEMA}"`;
  }
  const objects = ['scenario', 'flows', 'endpoints', 'failures', 'harness', 'load', 'target'];
  for (const k of objects) {
    if (typeof r[k] !== 'object' || r[k] === null || Array.isArray(r[k])) return `${k} must be an object`;
  }
  for (const k of ['phases', 'series', 'thresholds']) if (!Array.isArray(r[k])) return `${k} must be an array`;
  if (typeof r.durationMs !== 'number') return 'durationMs must be a number';
  for (const [name, e] of Object.entries(r.endpoints as Record<string, unknown>)) {
    const ep = e as Partial<EndpointReport> | null;
    if (!(ENDPOINT_CLASSES as readonly string[]).includes(name)) return `endpoints.${name} is not an endpoint class`;
    if (typeof ep?.count !== 'number' || typeof ep.hdr !== 'string' || typeof ep.latencyMs !== 'object') {
      return `endpoints.${name} needs count, latencyMs and hdr`;
    }
  }
  return null;
}
