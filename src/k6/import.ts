/**
 * `tokenstorm import k6`: k6 `--out json` files (one per runner) → ONE tokenstorm report. Latency
 * histograms are rebuilt exactly from the raw points (never from k6's summary percentiles, which
 * cannot be merged): the exported script's Trends `tokenstorm_<class>` (or, for any other k6
 * script, `http_req_duration` points whose `name` tag is an endpoint class). Failures come from the
 * `failure_class` tag the exported script sets with tokenstorm's own rule table; dropped iterations
 * are dropped flows.
 */
import { basename } from 'node:path';
import type { WallPhase } from '../chaos/faults-only.ts';
import { TokenstormError } from '../errors.ts';
import { createHistogram, createPackedHistogram, encodeHistogram, type Histogram, recordUs, summarize } from '../metrics/hdr.ts';
import {
  ENDPOINT_CLASSES,
  type EndpointClass,
  type EndpointReport,
  FAILURE_CLASSES,
  type FailureClass,
  type HarnessReport,
  type PhaseReport,
  REPORT_SCHEMA,
  type Report,
  type SegmentPart,
  type SeriesPoint,
} from '../report/schema.ts';
import { type LineCaps, readJsonLines } from './json-lines.ts';

export type { WallPhase };

/** Options for {@link importK6}. */
export interface ImportK6Options extends LineCaps {
  scenario?: { name: string; file: string | null; description?: string; stages?: Report['load']['stages'] };
  issuer?: string;
  phases?: WallPhase[];
  slo?: Report['slo'];
}

const MAX_SERIES_SECONDS = 7 * 24 * 3600;

interface Acc {
  latency: Histogram;
  count: number;
  errors: number;
}
interface FlowAcc {
  started: number;
  completed: number;
  failed: number;
  dropped: number;
}
interface Bucket {
  endpoints: Map<EndpointClass, Acc>;
  flows: FlowAcc;
  failures: Map<FailureClass, number>;
}

const newBucket = (): Bucket => ({ endpoints: new Map(), flows: { started: 0, completed: 0, failed: 0, dropped: 0 }, failures: new Map() });
const isEndpoint = (s: unknown): s is EndpointClass => typeof s === 'string' && (ENDPOINT_CLASSES as readonly string[]).includes(s);
const asFailure = (s: unknown): FailureClass => (typeof s === 'string' && (FAILURE_CLASSES as readonly string[]).includes(s) ? (s as FailureClass) : 'other');

interface Point {
  metric: string;
  timeMs: number;
  value: number;
  tags: Record<string, unknown>;
}

function parseLine(line: string): { kind: 'point'; p: Point } | { kind: 'metric' } | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as { type?: unknown; metric?: unknown; data?: unknown };
  if (typeof r.metric !== 'string' || typeof r.data !== 'object' || r.data === null) return null;
  if (r.type === 'Metric') return { kind: 'metric' };
  if (r.type !== 'Point') return null;
  const d = r.data as { time?: unknown; value?: unknown; tags?: unknown };
  const timeMs = typeof d.time === 'string' ? Date.parse(d.time) : Number.NaN;
  if (!Number.isFinite(timeMs) || typeof d.value !== 'number' || !Number.isFinite(d.value)) return null;
  const tags = typeof d.tags === 'object' && d.tags !== null ? (d.tags as Record<string, unknown>) : {};
  return { kind: 'point', p: { metric: r.metric, timeMs, value: d.value, tags } };
}

/**
 * A per-second histogram: packed and auto-resizing (≈1.5 KB for a second of typical latencies
 * instead of 95 KB for a full 1 µs..1 h one), since an hour-long import holds 3600 × 6 of them.
 * The series only shows p50/p95/p99 from it; exact histograms are the run's and the phases'.
 */
function secondHistogram(): Histogram {
  return createPackedHistogram(2);
}

/** Aggregation of one kind of source points (tokenstorm Trends, or plain http_req_duration). */
class Collector {
  readonly total = newBucket();
  readonly perSecond = new Map<number, Bucket>();
  readonly perPhase = new Map<string, Bucket>();
  points = 0;
  private readonly phases: WallPhase[];
  constructor(phases: WallPhase[]) {
    this.phases = phases;
  }

  private buckets(timeMs: number): Array<{ b: Bucket; exact: boolean }> {
    const sec = Math.floor(timeMs / 1000);
    let s = this.perSecond.get(sec);
    if (!s) {
      s = newBucket();
      this.perSecond.set(sec, s);
    }
    const out = [
      { b: this.total, exact: true },
      { b: s, exact: false },
    ];
    const ph = phaseAt(this.phases, timeMs);
    if (this.phases.length > 0) {
      let b = this.perPhase.get(ph);
      if (!b) {
        b = newBucket();
        this.perPhase.set(ph, b);
      }
      out.push({ b, exact: true });
    }
    return out;
  }

  dropped(timeMs: number, n: number): void {
    for (const { b } of this.buckets(timeMs)) b.flows.dropped += n;
  }

  exchange(cls: EndpointClass, p: Point, ok: boolean): void {
    this.points++;
    const us = p.value * 1000;
    for (const { b, exact } of this.buckets(p.timeMs)) {
      let a = b.endpoints.get(cls);
      if (!a) {
        a = { latency: exact ? createHistogram() : secondHistogram(), count: 0, errors: 0 };
        b.endpoints.set(cls, a);
      }
      recordUs(a.latency, us);
      a.count++;
      if (!ok) a.errors++;
      if (cls !== 'flow') continue;
      b.flows.started++;
      if (ok) b.flows.completed++;
      else {
        b.flows.failed++;
        const fc = asFailure(p.tags['failure_class']);
        b.failures.set(fc, (b.failures.get(fc) ?? 0) + 1);
      }
    }
  }
}

/** Both collectors (the choice between them is made at the end) and the per-file facts. */
class Reader {
  readonly custom: Collector;
  readonly fallback: Collector;
  readonly files: Array<{ file: string; firstMs: number; lastMs: number; custom: FlowAcc; fallback: FlowAcc; iterations: number }> = [];
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  points = 0;
  skipped = 0;
  constructor(phases: WallPhase[]) {
    this.custom = new Collector(phases);
    this.fallback = new Collector(phases);
  }
}

function endpointReport(a: Acc): EndpointReport {
  // k6 has no intended start times: latency and service time are the same samples.
  const enc = encodeHistogram(a.latency);
  const sum = summarize(a.latency);
  return { count: a.count, errors: a.errors, latencyMs: sum, serviceMs: sum, hdr: enc, serviceHdr: enc };
}

function failuresOf(m: Map<FailureClass, number>): Partial<Record<FailureClass, number>> {
  return Object.fromEntries(m) as Partial<Record<FailureClass, number>>;
}

async function readFile(c: Reader, file: string, caps: LineCaps): Promise<void> {
  const flows = (): FlowAcc => ({ started: 0, completed: 0, failed: 0, dropped: 0 });
  const entry = { file, firstMs: Number.POSITIVE_INFINITY, lastMs: Number.NEGATIVE_INFINITY, custom: flows(), fallback: flows(), iterations: 0 };
  let first = true;
  for await (const line of readJsonLines(file, caps)) {
    const parsed = parseLine(line);
    if (first) {
      first = false;
      if (!parsed) throw new TokenstormError('ERR_REPORT_INVALID', `${file} is not k6 JSON output (line 1 is not a {"type":"Metric"|"Point",...} object)`, { hint: "write it with 'k6 run --out json=FILE'" });
    }
    if (!parsed) {
      // k6 killed mid-write leaves a torn last line; counted, not fatal.
      c.skipped++;
      continue;
    }
    if (parsed.kind === 'metric') continue;
    const p = parsed.p;
    c.points++;
    entry.firstMs = Math.min(entry.firstMs, p.timeMs);
    entry.lastMs = Math.max(entry.lastMs, p.timeMs);
    if (p.metric.startsWith('tokenstorm_')) {
      const cls = p.metric.slice('tokenstorm_'.length);
      if (!isEndpoint(cls)) continue;
      const ok = p.tags['ok'] !== 'false';
      c.custom.exchange(cls, p, ok);
      if (cls === 'flow') {
        entry.custom.started++;
        if (ok) entry.custom.completed++;
        else entry.custom.failed++;
      }
    } else if (p.metric === 'dropped_iterations') {
      c.custom.dropped(p.timeMs, p.value);
      c.fallback.dropped(p.timeMs, p.value);
      entry.custom.dropped += p.value;
      entry.fallback.dropped += p.value;
    } else if (p.metric === 'http_req_duration' && isEndpoint(p.tags['name'])) {
      c.fallback.exchange(p.tags['name'], p, p.tags['expected_response'] !== 'false');
    } else if (p.metric === 'iterations') {
      // Without the exported script's flow Trend, an iteration is a completed flow.
      entry.fallback.started += p.value;
      entry.fallback.completed += p.value;
      entry.iterations += p.value;
    }
  }
  if (first) throw new TokenstormError('ERR_REPORT_INVALID', `${file} is empty: not k6 JSON output`);
  c.files.push(entry);
  if (Number.isFinite(entry.firstMs)) {
    c.firstMs = Math.min(c.firstMs, entry.firstMs);
    c.lastMs = Math.max(c.lastMs, entry.lastMs);
  }
}

const NO_HARNESS: HarnessReport = {
  eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
  cpuCores: 0,
  cpuMsPerFlow: null,
  idpCpuCores: null,
  bottleneck: false,
  reasons: ['imported from k6: tokenstorm did not generate this load, so its harness self-check does not apply'],
  verifierPool: { workers: 0, taken: 0, waits: 0 },
  node: 'k6',
};

/**
 * Reads k6 JSON outputs and builds one report (thresholds empty: see finalizeReport).
 * Throws ERR_REPORT_INVALID (exit 2) for input that is not k6 JSON output.
 *
 * @example
 * const report = await importK6(['runner-0.json.gz', 'runner-1.json.gz'], { scenario: { name: 'smoke', file: null } });
 */
export async function importK6(files: string[], opts: ImportK6Options = {}): Promise<Report> {
  if (files.length === 0) throw new TokenstormError('ERR_USAGE', 'import k6 needs at least one k6 JSON output file');
  const reader = new Reader(opts.phases ?? []);
  for (const f of files) await readFile(reader, f, opts);
  // An exported tokenstorm script's Trends when present; else (any k6 script) http_req_duration
  // points named by endpoint class.
  const useCustom = reader.custom.points > 0;
  const c = useCustom ? reader.custom : reader.fallback;
  if (!Number.isFinite(reader.firstMs)) throw new TokenstormError('ERR_REPORT_INVALID', `${files.join(', ')}: k6 output without a single data point`);
  const startSec = Math.floor(reader.firstMs / 1000);
  const endSec = Math.floor(reader.lastMs / 1000);
  if (endSec - startSec > MAX_SERIES_SECONDS) throw new TokenstormError('ERR_REPORT_INVALID', `points span more than ${MAX_SERIES_SECONDS / 86400} days; these files are not one run`);

  const endpoints: Report['endpoints'] = {};
  for (const cls of ENDPOINT_CLASSES) {
    const a = c.total.endpoints.get(cls);
    if (a) endpoints[cls] = endpointReport(a);
  }
  const series: SeriesPoint[] = [...c.perSecond.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([sec, b]) => {
      const eps: SeriesPoint['endpoints'] = {};
      for (const [cls, a] of b.endpoints) {
        const s = summarize(a.latency);
        eps[cls] = { count: a.count, errors: a.errors, p50: s.p50, p95: s.p95, p99: s.p99 };
      }
      const t = sec - startSec;
      return { t, phase: phaseAt(opts.phases ?? [], sec * 1000), ...b.flows, inFlight: 0, endpoints: eps, failures: failuresOf(b.failures) };
    });
  const phases: PhaseReport[] =
    (opts.phases ?? []).length > 0
      ? [...c.perPhase.entries()].map(([name, b]) => {
          const wall = opts.phases!.find((p) => p.name === name);
          const startMs = wall ? Math.max(0, Date.parse(wall.startedAt) - reader.firstMs) : 0;
          const endMs = wall ? Math.min(reader.lastMs - reader.firstMs, Math.max(0, Date.parse(wall.endedAt) - reader.firstMs)) : reader.lastMs - reader.firstMs;
          const eps: PhaseReport['endpoints'] = {};
          for (const [cls, a] of b.endpoints) eps[cls] = endpointReport(a);
          return { name, startMs, endMs, faults: wall?.faults ?? [], flows: b.flows, endpoints: eps, failures: failuresOf(b.failures) };
        })
      : [{ name: 'baseline', startMs: 0, endMs: reader.lastMs - reader.firstMs, faults: [], flows: c.total.flows, endpoints: { ...endpoints }, failures: failuresOf(c.total.failures) }];
  const segments: SegmentPart[] = reader.files.map((f, i) => ({
    runId: basename(f.file),
    startedAt: new Date(Number.isFinite(f.firstMs) ? f.firstMs : reader.firstMs).toISOString(),
    durationMs: Number.isFinite(f.firstMs) ? f.lastMs - f.firstMs : 0,
    ...(reader.files.length > 1 ? { segment: { index: i, count: reader.files.length } } : {}),
    partial: false,
    flows: { ...(useCustom ? f.custom : f.fallback), late: 0 },
    harness: NO_HARNESS,
  }));
  const name = opts.scenario?.name ?? 'k6-import';
  // k6's own iteration count must equal the flows the script recorded (one flow per iteration).
  const checks: string[] = [];
  if (useCustom) {
    for (const f of reader.files) {
      if (f.iterations > 0 && f.iterations !== f.custom.started) checks.push(`${basename(f.file)}: k6 counted ${f.iterations} iterations but the script recorded ${f.custom.started} flows`);
    }
  }
  return {
    schema: REPORT_SCHEMA,
    runId: `k6-${new Date(reader.firstMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`,
    scenario: { name, file: opts.scenario?.file ?? null, mode: 'flow', model: 'open', ...(opts.scenario?.description ? { description: opts.scenario.description } : {}) },
    startedAt: new Date(reader.firstMs).toISOString(),
    durationMs: reader.lastMs - reader.firstMs,
    partial: reader.skipped > 0,
    target: { kind: 'remote', issuer: opts.issuer ?? '', clientId: '', faults: (opts.phases ?? []).length > 0 ? 'toxiproxy' : 'none' },
    load: { model: 'open', stages: opts.scenario?.stages ?? [] },
    // Without the flow Trend, k6's `iterations` are the flows (all counted as completed).
    flows: { ...(useCustom ? c.total.flows : sumFlows(reader.files.map((f) => f.fallback))), late: 0 },
    endpoints,
    failures: failuresOf(c.total.failures),
    failureEvidence: [],
    phases,
    series,
    thresholds: [],
    ...(opts.slo ? { slo: opts.slo } : {}),
    harness: { ...NO_HARNESS, reasons: [...NO_HARNESS.reasons, ...checks, ...(reader.skipped > 0 ? [`${reader.skipped} unreadable line(s) skipped (a torn last line when k6 was killed)`] : [])] },
    segments,
    source: { kind: 'k6', files: files.map((f) => basename(f)), points: c.points, skippedLines: reader.skipped },
  };
}

function sumFlows(list: FlowAcc[]): FlowAcc {
  return list.reduce((t, f) => ({ started: t.started + f.started, completed: t.completed + f.completed, failed: t.failed + f.failed, dropped: t.dropped + f.dropped }), { started: 0, completed: 0, failed: 0, dropped: 0 });
}

function phaseAt(phases: WallPhase[], timeMs: number): string {
  for (const p of phases) if (timeMs >= Date.parse(p.startedAt) && timeMs < Date.parse(p.endedAt)) return p.name;
  return 'baseline';
}
