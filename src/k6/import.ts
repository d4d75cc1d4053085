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
import { createHistogram, encodeHistogram, type Histogram, recordUs, summarize } from '../metrics/hdr.ts';
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

/** Per-file aggregation (one runner) plus the whole run's. */
class Collector {
  readonly total = newBucket();
  readonly perSecond = new Map<number, Bucket>();
  readonly perPhase = new Map<string, Bucket>();
  readonly service = new Map<EndpointClass, Histogram>();
  readonly files: Array<{ file: string; firstMs: number; lastMs: number; flows: FlowAcc }> = [];
  /** Points seen per source metric kind (the fallback decides which to use). */
  customPoints = 0;
  readonly fallback: Point[] = [];
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  points = 0;
  skipped = 0;
  private readonly phases: WallPhase[];
  constructor(phases: WallPhase[]) {
    this.phases = phases;
  }

  private phaseOf(timeMs: number): string | null {
    for (const p of this.phases) if (timeMs >= Date.parse(p.startedAt) && timeMs < Date.parse(p.endedAt)) return p.name;
    return this.phases.length > 0 ? 'baseline' : null;
  }

  buckets(timeMs: number): Bucket[] {
    const sec = Math.floor(timeMs / 1000);
    let s = this.perSecond.get(sec);
    if (!s) {
      s = newBucket();
      this.perSecond.set(sec, s);
    }
    const out = [this.total, s];
    const ph = this.phaseOf(timeMs);
    if (ph !== null) {
      let b = this.perPhase.get(ph);
      if (!b) {
        b = newBucket();
        this.perPhase.set(ph, b);
      }
      out.push(b);
    }
    return out;
  }

  exchange(cls: EndpointClass, p: Point, ok: boolean): void {
    const us = p.value * 1000;
    for (const b of this.buckets(p.timeMs)) {
      let a = b.endpoints.get(cls);
      if (!a) {
        a = { latency: createHistogram(b === this.total ? 3 : 2), count: 0, errors: 0 };
        b.endpoints.set(cls, a);
      }
      recordUs(a.latency, us);
      a.count++;
      if (!ok) a.errors++;
    }
    if (cls === 'flow') {
      for (const b of this.buckets(p.timeMs)) {
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

async function readFile(c: Collector, file: string, caps: LineCaps): Promise<void> {
  const entry = { file, firstMs: Number.POSITIVE_INFINITY, lastMs: Number.NEGATIVE_INFINITY, flows: { started: 0, completed: 0, failed: 0, dropped: 0 } };
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
      c.customPoints++;
      const ok = p.tags['ok'] !== 'false';
      c.exchange(cls, p, ok);
      if (cls === 'flow') {
        entry.flows.started++;
        if (ok) entry.flows.completed++;
        else entry.flows.failed++;
      }
    } else if (p.metric === 'dropped_iterations') {
      for (const b of c.buckets(p.timeMs)) b.flows.dropped += p.value;
      entry.flows.dropped += p.value;
    } else if (p.metric === 'http_req_duration' && isEndpoint(p.tags['name'])) {
      if (c.fallback.length < 50_000_000) c.fallback.push(p);
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
  const c = new Collector(opts.phases ?? []);
  for (const f of files) await readFile(c, f, opts);
  if (c.customPoints === 0) {
    // Not an exported tokenstorm script: http_req_duration tagged by endpoint class is the data.
    for (const p of c.fallback) c.exchange(p.tags['name'] as EndpointClass, p, p.tags['expected_response'] !== 'false');
  }
  if (!Number.isFinite(c.firstMs)) throw new TokenstormError('ERR_REPORT_INVALID', `${files.join(', ')}: k6 output without a single data point`);
  const startSec = Math.floor(c.firstMs / 1000);
  const endSec = Math.floor(c.lastMs / 1000);
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
          const startMs = wall ? Math.max(0, Date.parse(wall.startedAt) - c.firstMs) : 0;
          const endMs = wall ? Math.min(c.lastMs - c.firstMs, Math.max(0, Date.parse(wall.endedAt) - c.firstMs)) : c.lastMs - c.firstMs;
          const eps: PhaseReport['endpoints'] = {};
          for (const [cls, a] of b.endpoints) eps[cls] = endpointReport(a);
          return { name, startMs, endMs, faults: wall?.faults ?? [], flows: b.flows, endpoints: eps, failures: failuresOf(b.failures) };
        })
      : [{ name: 'baseline', startMs: 0, endMs: c.lastMs - c.firstMs, faults: [], flows: c.total.flows, endpoints: { ...endpoints }, failures: failuresOf(c.total.failures) }];
  const segments: SegmentPart[] = c.files.map((f, i) => ({
    runId: basename(f.file),
    startedAt: new Date(Number.isFinite(f.firstMs) ? f.firstMs : c.firstMs).toISOString(),
    durationMs: Number.isFinite(f.firstMs) ? f.lastMs - f.firstMs : 0,
    ...(c.files.length > 1 ? { segment: { index: i, count: c.files.length } } : {}),
    partial: false,
    flows: { ...f.flows, late: 0 },
    harness: NO_HARNESS,
  }));
  const name = opts.scenario?.name ?? 'k6-import';
  return {
    schema: REPORT_SCHEMA,
    runId: `k6-${new Date(c.firstMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`,
    scenario: { name, file: opts.scenario?.file ?? null, mode: 'flow', model: 'open', ...(opts.scenario?.description ? { description: opts.scenario.description } : {}) },
    startedAt: new Date(c.firstMs).toISOString(),
    durationMs: c.lastMs - c.firstMs,
    partial: c.skipped > 0,
    target: { kind: 'remote', issuer: opts.issuer ?? '', clientId: '', faults: (opts.phases ?? []).length > 0 ? 'toxiproxy' : 'none' },
    load: { model: 'open', stages: opts.scenario?.stages ?? [] },
    flows: { ...c.total.flows, late: 0 },
    endpoints,
    failures: failuresOf(c.total.failures),
    failureEvidence: [],
    phases,
    series,
    thresholds: [],
    ...(opts.slo ? { slo: opts.slo } : {}),
    harness: { ...NO_HARNESS, reasons: [...NO_HARNESS.reasons, ...(c.skipped > 0 ? [`${c.skipped} unreadable line(s) skipped (a torn last line when k6 was killed)`] : [])] },
    segments,
    source: { kind: 'k6', files: files.map((f) => basename(f)), points: c.points, skippedLines: c.skipped },
  };
}

function phaseAt(phases: WallPhase[], timeMs: number): string {
  for (const p of phases) if (timeMs >= Date.parse(p.startedAt) && timeMs < Date.parse(p.endedAt)) return p.name;
  return 'baseline';
}
