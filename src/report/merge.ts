/**
 * Merging reports of one scenario run in parts (execution segments on several machines, or k6
 * runners): HDR histograms are added bucket by bucket, so every percentile of the merged report is
 * the percentile of the union of all samples (to HDR precision), never an average of percentiles.
 * Counters are summed, per-second series are aligned on wall-clock time (startedAt + t), failures
 * are united, and each part's harness self-check is kept in `segments[]`.
 */
import { randomBytes } from 'node:crypto';
import { TokenstormError } from '../errors.ts';
import { createHistogram, decodeHistogram, encodeHistogram, type Histogram, summarize } from '../metrics/hdr.ts';
import {
  ENDPOINT_CLASSES,
  type EndpointClass,
  type EndpointReport,
  type FailureClass,
  type FailureEvidence,
  type HarnessReport,
  type PhaseReport,
  type Report,
  type SegmentPart,
  type SeriesPoint,
} from './schema.ts';

/** Evidence examples kept in a merged report (each part keeps at most 100 already). */
const MAX_MERGED_EVIDENCE = 100;

/** A report and the name it is known by in messages (its file). */
export interface MergeInput {
  report: Report;
  label: string;
}

/** Adds encoded µs histograms; a damaged one is bad input naming its part. */
class HistogramSum {
  private readonly h: Histogram = createHistogram();
  add(encoded: string, where: string): void {
    let part: Histogram;
    try {
      part = decodeHistogram(encoded);
    } catch (err) {
      throw new TokenstormError('ERR_REPORT_INVALID', `${where}: histogram cannot be decoded`, { cause: err });
    }
    this.h.add(part);
  }
  get histogram(): Histogram {
    return this.h;
  }
}

class EndpointSum {
  count = 0;
  errors = 0;
  readonly latency = new HistogramSum();
  readonly service = new HistogramSum();
  /** The timing split, when every part had one (a part without it would make the sum a lie). */
  private split: { queued: HistogramSum; connect: HistogramSum; wait: HistogramSum } | null = null;
  private parts = 0;
  private partsWithSplit = 0;
  add(e: EndpointReport, where: string): void {
    if (!Number.isFinite(e.count) || !Number.isFinite(e.errors ?? 0)) throw new TokenstormError('ERR_REPORT_INVALID', `${where}: count and errors must be numbers`);
    this.count += e.count;
    this.errors += e.errors ?? 0;
    this.latency.add(e.hdr, `${where}.hdr`);
    if (typeof e.serviceHdr === 'string') this.service.add(e.serviceHdr, `${where}.serviceHdr`);
    this.parts++;
    if (typeof e.queuedHdr === 'string' && typeof e.connectHdr === 'string' && typeof e.waitHdr === 'string') {
      this.partsWithSplit++;
      this.split ??= { queued: new HistogramSum(), connect: new HistogramSum(), wait: new HistogramSum() };
      this.split.queued.add(e.queuedHdr, `${where}.queuedHdr`);
      this.split.connect.add(e.connectHdr, `${where}.connectHdr`);
      this.split.wait.add(e.waitHdr, `${where}.waitHdr`);
    }
  }
  report(): EndpointReport {
    const split = this.split && this.partsWithSplit === this.parts ? this.split : null;
    return {
      count: this.count,
      errors: this.errors,
      latencyMs: summarize(this.latency.histogram),
      serviceMs: summarize(this.service.histogram),
      hdr: encodeHistogram(this.latency.histogram),
      serviceHdr: encodeHistogram(this.service.histogram),
      ...(split
        ? {
            queuedMs: summarize(split.queued.histogram),
            connectMs: { ...summarize(split.connect.histogram), count: split.connect.histogram.totalCount },
            waitMs: summarize(split.wait.histogram),
            queuedHdr: encodeHistogram(split.queued.histogram),
            connectHdr: encodeHistogram(split.connect.histogram),
            waitHdr: encodeHistogram(split.wait.histogram),
          }
        : {}),
    };
  }
}

function sumEndpoints(sums: Map<EndpointClass, EndpointSum>, endpoints: Partial<Record<EndpointClass, EndpointReport>>, where: string): void {
  for (const cls of ENDPOINT_CLASSES) {
    const e = endpoints[cls];
    if (!e) continue;
    let s = sums.get(cls);
    if (!s) {
      s = new EndpointSum();
      sums.set(cls, s);
    }
    s.add(e, `${where}.${cls}`);
  }
}

function endpointsOf(sums: Map<EndpointClass, EndpointSum>): Partial<Record<EndpointClass, EndpointReport>> {
  const out: Partial<Record<EndpointClass, EndpointReport>> = {};
  for (const cls of ENDPOINT_CLASSES) {
    const s = sums.get(cls);
    if (s) out[cls] = s.report();
  }
  return out;
}

function addFailures(into: Partial<Record<FailureClass, number>>, from: Partial<Record<FailureClass, number>>): void {
  for (const [k, v] of Object.entries(from) as Array<[FailureClass, number]>) {
    if (typeof v === 'number' && Number.isFinite(v)) into[k] = (into[k] ?? 0) + v;
  }
}

function startMsOf(r: Report, label: string): number {
  const ms = Date.parse(r.startedAt);
  if (!Number.isFinite(ms)) throw new TokenstormError('ERR_REPORT_INVALID', `${label}: startedAt is not an ISO time`);
  return ms;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first problem in the fields merge reads beyond what loadReport checks (a report.json from
 * another machine is untrusted input: a missing nested field must be a one-line error, not a crash).
 *
 * @example
 * mergePartProblem({ ...report, harness: {} as never }); // 'harness.eventLoopDelayMs needs p50, p99 and max'
 */
export function mergePartProblem(r: Report): string | null {
  for (const k of ['started', 'completed', 'failed', 'dropped'] as const) if (!isNum(r.flows[k])) return `flows.${k} must be a number`;
  if (!Number.isFinite(Date.parse(r.startedAt))) return 'startedAt must be an ISO time';
  if (!isNum(r.durationMs) || r.durationMs < 0) return 'durationMs must be a number ≥ 0';
  const h = r.harness as unknown as Record<string, unknown>;
  const eld = h.eventLoopDelayMs as Record<string, unknown> | undefined;
  if (!isObj(eld) || !isNum(eld.p50) || !isNum(eld.p99) || !isNum(eld.max)) return 'harness.eventLoopDelayMs needs p50, p99 and max';
  if (!isNum(h.cpuCores)) return 'harness.cpuCores must be a number';
  if (h.cpuMsPerFlow !== null && !isNum(h.cpuMsPerFlow)) return 'harness.cpuMsPerFlow must be a number or null';
  if (!Array.isArray(h.reasons) || !h.reasons.every((x) => typeof x === 'string')) return 'harness.reasons must be an array of strings';
  const vp = h.verifierPool as Record<string, unknown> | undefined;
  if (!isObj(vp) || !isNum(vp.workers) || !isNum(vp.taken) || !isNum(vp.waits)) return 'harness.verifierPool needs workers, taken and waits';
  for (const [i, p] of r.series.entries()) {
    if (!isObj(p) || !isNum(p.t) || !['started', 'completed', 'failed', 'dropped', 'inFlight'].every((k) => isNum((p as unknown as Record<string, unknown>)[k]))) return `series[${i}] needs t, started, completed, failed, dropped and inFlight numbers`;
    for (const [cls, e] of Object.entries(p.endpoints ?? {})) {
      if (!isObj(e) || !['count', 'errors', 'p50', 'p95', 'p99'].every((k) => isNum((e as Record<string, unknown>)[k]))) return `series[${i}].endpoints.${cls} needs count, errors, p50, p95, p99`;
    }
  }
  for (const [i, p] of r.phases.entries()) {
    if (!isObj(p) || typeof p.name !== 'string' || !isNum(p.startMs) || !isNum(p.endMs) || !isObj(p.flows)) return `phases[${i}] needs name, startMs, endMs and flows`;
  }
  for (const [i, t] of r.thresholds.entries()) if (!isObj(t) || typeof t.expr !== 'string') return `thresholds[${i}].expr must be a string`;
  if (r.segment !== undefined && (!isObj(r.segment) || !Number.isInteger(r.segment.index) || !Number.isInteger(r.segment.count) || r.segment.index < 0 || r.segment.index >= r.segment.count)) return 'segment must be {index, count} with 0 ≤ index < count';
  return null;
}

/** Checks that the parts belong together; throws a one-line ERR_USAGE / ERR_REPORT_INVALID otherwise. */
function checkCompatible(parts: MergeInput[]): void {
  if (parts.length === 0) throw new TokenstormError('ERR_USAGE', 'merge needs at least one report');
  for (const p of parts) {
    const problem = mergePartProblem(p.report);
    if (problem) throw new TokenstormError('ERR_REPORT_INVALID', `${p.label}: ${problem}`);
  }
  const first = parts[0]!;
  for (const p of parts) {
    if (p.report.schema !== first.report.schema) {
      throw new TokenstormError('ERR_USAGE', `cannot merge schema ${p.report.schema} (${p.label}) with ${first.report.schema} (${first.label})`);
    }
    if (p.report.scenario?.name !== first.report.scenario?.name) {
      throw new TokenstormError('ERR_USAGE', `cannot merge different scenarios: ${JSON.stringify(p.report.scenario?.name)} (${p.label}) and ${JSON.stringify(first.report.scenario?.name)} (${first.label})`);
    }
  }
  const seen = new Map<string, string>();
  const counts = new Set<number>();
  for (const p of parts) {
    const s = p.report.segment;
    if (!s) continue;
    counts.add(s.count);
    const key = `${s.index}/${s.count}`;
    const other = seen.get(key);
    if (other) throw new TokenstormError('ERR_USAGE', `segment ${key} appears twice (${other} and ${p.label}); merging it twice would count its flows twice`);
    seen.set(key, p.label);
  }
  if (counts.size > 1) throw new TokenstormError('ERR_USAGE', `the reports split the schedule differently (segment counts ${[...counts].join(', ')})`);
}

function mergeHarness(parts: Report[]): HarnessReport {
  const completed = parts.reduce((n, r) => n + r.flows.completed, 0);
  let cpuMs = 0;
  let cpuKnown = true;
  for (const r of parts) {
    if (r.harness.cpuMsPerFlow === null) cpuKnown = r.flows.completed === 0 && cpuKnown;
    else cpuMs += r.harness.cpuMsPerFlow * r.flows.completed;
  }
  const reasons: string[] = [];
  parts.forEach((r, i) => {
    for (const why of r.harness.reasons) reasons.push(`part ${i}: ${why}`);
  });
  const h0 = parts[0]!.harness;
  return {
    // The worst part decides: one overloaded load generator skews the merged percentiles.
    eventLoopDelayMs: {
      p50: Math.max(...parts.map((r) => r.harness.eventLoopDelayMs.p50)),
      p99: Math.max(...parts.map((r) => r.harness.eventLoopDelayMs.p99)),
      max: Math.max(...parts.map((r) => r.harness.eventLoopDelayMs.max)),
    },
    cpuCores: parts.reduce((n, r) => n + r.harness.cpuCores, 0),
    cpuMsPerFlow: cpuKnown && completed > 0 ? cpuMs / completed : null,
    idpCpuCores: h0.idpCpuCores,
    bottleneck: parts.some((r) => r.harness.bottleneck),
    reasons,
    verifierPool: {
      workers: parts.reduce((n, r) => n + r.harness.verifierPool.workers, 0),
      taken: parts.reduce((n, r) => n + r.harness.verifierPool.taken, 0),
      waits: parts.reduce((n, r) => n + r.harness.verifierPool.waits, 0),
    },
    node: h0.node,
    // Each part's own verdict and summary stay in segments[]; the merged one sums what adds up.
    ...(parts.every((r) => r.harness.wire !== undefined)
      ? {
          wire: {
            sentBytes: parts.reduce((n, r) => n + r.harness.wire!.sentBytes, 0),
            receivedBytes: parts.reduce((n, r) => n + r.harness.wire!.receivedBytes, 0),
            connections: parts.reduce((n, r) => n + r.harness.wire!.connections, 0),
          },
        }
      : {}),
    ...(parts.every((r) => r.harness.peakRssMb !== undefined) ? { peakRssMb: Math.max(...parts.map((r) => r.harness.peakRssMb!)) } : {}),
  };
}

interface SecondSum {
  point: SeriesPoint;
  endpoints: Map<EndpointClass, { count: number; errors: number; p50: number; p95: number; p99: number }>;
}

/**
 * Series on wall-clock seconds from the merged start. A part's second `t` covers wall-clock
 * [startedAt + t s, +1 s) and lands in merged second floor((startedAt − mergedStart)/1000 + t).
 * Counts are summed exactly; the per-second p50/p95/p99 of a merged second is the largest of the
 * parts' values (reports keep no per-second histograms, and a max never hides a slow machine).
 */
function mergeSeries(parts: Array<{ r: Report; offsetMs: number }>): SeriesPoint[] {
  const seconds = new Map<number, SecondSum>();
  for (const { r, offsetMs } of parts) {
    for (const p of r.series) {
      if (!Number.isFinite(p.t)) continue;
      const t = Math.floor((offsetMs + p.t * 1000) / 1000);
      let s = seconds.get(t);
      if (!s) {
        s = { point: { t, phase: p.phase, started: 0, completed: 0, failed: 0, dropped: 0, inFlight: 0, endpoints: {}, failures: {} }, endpoints: new Map() };
        seconds.set(t, s);
      }
      s.point.started += p.started;
      s.point.completed += p.completed;
      s.point.failed += p.failed;
      s.point.dropped += p.dropped;
      s.point.inFlight += p.inFlight;
      addFailures(s.point.failures, p.failures ?? {});
      for (const cls of ENDPOINT_CLASSES) {
        const e = p.endpoints?.[cls];
        if (!e) continue;
        const m = s.endpoints.get(cls);
        if (!m) s.endpoints.set(cls, { ...e });
        else {
          m.count += e.count;
          m.errors += e.errors;
          m.p50 = Math.max(m.p50, e.p50);
          m.p95 = Math.max(m.p95, e.p95);
          m.p99 = Math.max(m.p99, e.p99);
        }
      }
    }
  }
  return [...seconds.values()]
    .sort((a, b) => a.point.t - b.point.t)
    .map((s) => {
      for (const [cls, e] of s.endpoints) s.point.endpoints[cls] = e;
      return s.point;
    });
}

function mergePhases(parts: Array<{ r: Report; offsetMs: number; label: string }>): PhaseReport[] {
  const byName = new Map<string, { phase: PhaseReport; sums: Map<EndpointClass, EndpointSum>; faults: Set<string> }>();
  for (const { r, offsetMs, label } of parts) {
    r.phases.forEach((ph, i) => {
      let m = byName.get(ph.name);
      if (!m) {
        m = {
          phase: { name: ph.name, startMs: ph.startMs + offsetMs, endMs: ph.endMs + offsetMs, faults: [], flows: { started: 0, completed: 0, failed: 0, dropped: 0 }, endpoints: {}, failures: {} },
          sums: new Map(),
          faults: new Set(),
        };
        byName.set(ph.name, m);
      }
      m.phase.startMs = Math.min(m.phase.startMs, ph.startMs + offsetMs);
      m.phase.endMs = Math.max(m.phase.endMs, ph.endMs + offsetMs);
      for (const f of ph.faults ?? []) m.faults.add(f);
      for (const k of ['started', 'completed', 'failed', 'dropped'] as const) m.phase.flows[k] += ph.flows?.[k] ?? 0;
      sumEndpoints(m.sums, ph.endpoints ?? {}, `${label}: phases[${i}].endpoints`);
      addFailures(m.phase.failures, ph.failures ?? {});
    });
  }
  return [...byName.values()]
    .map((m) => ({ ...m.phase, faults: [...m.faults], endpoints: endpointsOf(m.sums) }))
    .sort((a, b) => a.startMs - b.startMs);
}

/**
 * Merges reports of one scenario into one. Thresholds, knee and baseline are NOT evaluated here
 * (see finalizeReport); `thresholds` is left empty and the expressions to re-evaluate are returned.
 * Throws ERR_USAGE for parts that do not belong together (different scenarios or schema, a segment
 * twice) and ERR_REPORT_INVALID for a damaged part.
 *
 * @example
 * const { report, thresholdExprs } = mergeReports([{ report: a, label: 'a.json' }, { report: b, label: 'b.json' }]);
 * finalizeReport(report, { thresholds: thresholdExprs });
 */
export function mergeReports(inputs: MergeInput[], opts: { runId?: string } = {}): { report: Report; thresholdExprs: string[] } {
  checkCompatible(inputs);
  const starts = inputs.map((p) => startMsOf(p.report, p.label));
  const mergedStart = Math.min(...starts);
  const mergedEnd = Math.max(...inputs.map((p, i) => starts[i]! + p.report.durationMs));
  const parts = inputs.map((p, i) => ({ r: p.report, label: p.label, offsetMs: starts[i]! - mergedStart }));
  const reports = inputs.map((p) => p.report);
  const first = reports[0]!;

  const endpointSums = new Map<EndpointClass, EndpointSum>();
  const failures: Partial<Record<FailureClass, number>> = {};
  const evidence: FailureEvidence[] = [];
  const flows: Report['flows'] = { started: 0, completed: 0, failed: 0, dropped: 0, late: 0, unfinished: 0 };
  const expected = new Map<FailureClass, number>();
  for (const { r, label } of parts) {
    sumEndpoints(endpointSums, r.endpoints, `${label}: endpoints`);
    addFailures(failures, r.failures);
    for (const e of r.failureEvidence ?? []) if (evidence.length < MAX_MERGED_EVIDENCE) evidence.push(e);
    for (const k of ['started', 'completed', 'failed', 'dropped', 'late'] as const) {
      const v = r.flows[k] ?? 0;
      if (!Number.isFinite(v)) throw new TokenstormError('ERR_REPORT_INVALID', `${label}: flows.${k} must be a number`);
      flows[k] += v;
    }
    flows.unfinished = (flows.unfinished ?? 0) + (r.flows.unfinished ?? 0);
    for (const e of r.expectedFailures ?? []) expected.set(e.failureClass, (expected.get(e.failureClass) ?? 0) + e.count);
  }
  const thresholdExprs = [...new Set(reports.flatMap((r) => r.thresholds.map((t) => t.expr)))];
  const segments: SegmentPart[] = reports.flatMap((r): SegmentPart[] =>
    // A merged report merged again keeps its parts, not itself.
    r.segments && r.segments.length > 0
      ? r.segments
      : [
          {
            runId: r.runId,
            startedAt: r.startedAt,
            durationMs: r.durationMs,
            ...(r.segment ? { segment: r.segment } : {}),
            partial: r.partial,
            flows: r.flows,
            ...(r.faults ? { faults: r.faults } : {}),
            harness: r.harness,
          },
        ],
  );
  const harness = mergeHarness(reports);
  const count = first.segment?.count;
  if (count !== undefined) {
    const have = new Set(segments.flatMap((s) => (s.segment ? [s.segment.index] : [])));
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
    if (missing.length > 0) harness.reasons.push(`segments ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged report covers part of the schedule`);
  }

  const report: Report = {
    schema: first.schema,
    runId: opts.runId ?? `merged-${new Date(mergedStart).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`,
    scenario: first.scenario,
    startedAt: new Date(mergedStart).toISOString(),
    durationMs: mergedEnd - mergedStart,
    partial: reports.some((r) => r.partial),
    target: first.target,
    load: first.load,
    flows,
    ...(expected.size > 0 ? { expectedFailures: [...expected].map(([failureClass, n]) => ({ failureClass, count: n })) } : {}),
    endpoints: endpointsOf(endpointSums),
    failures,
    failureEvidence: evidence,
    phases: mergePhases(parts),
    series: mergeSeries(parts),
    thresholds: [],
    ...(first.slo ? { slo: first.slo } : {}),
    harness,
    segments,
  };
  return { report, thresholdExprs };
}
