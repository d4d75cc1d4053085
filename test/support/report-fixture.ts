/**
 * A synthetic, deterministic {@link Report} with real encoded HDR histograms, for tests of
 * everything that consumes report.json (HTML, JUnit, compare, knee) without running a load test.
 */
import { createHistogram, encodeHistogram, type Histogram, recordUs, summarize } from '../../src/metrics/hdr.ts';
import type {
  EndpointClass,
  EndpointReport,
  FailureClass,
  FaultOutcome,
  PhaseReport,
  Report,
  SeriesPoint,
  ThresholdResult,
} from '../../src/report/schema.ts';

/** Options for {@link buildSyntheticReport}. Every default gives a healthy 60 s run at 50 flows/s. */
export interface SyntheticReportOptions {
  name?: string;
  description?: string;
  durationSec?: number;
  /** Constant offered rate (flows/s); ignored when `ramp` is given. Default 50. */
  ratePerSec?: number;
  /** Linear ramp of the offered rate over the whole run. */
  ramp?: { fromRatePerSec: number; toRatePerSec: number };
  /** Above this offered rate the token endpoint saturates: p95 jumps ~10× and 10% of flows fail. */
  breakAtRatePerSec?: number;
  /** Scales every latency (1.5 = a 50% regression). Default 1. */
  latencyMultiplier?: number;
  /** Median-ish token latency in ms before saturation. Default 20. */
  tokenBaseMs?: number;
  /** One latency fault on the token endpoint; `null` for none. Default at 20 s for 10 s, +150 ms (when it fits). */
  fault?: { atSec: number; forSec: number; addLatencyMs: number } | null;
  /** PRNG seed: the same seed and options give the same report. Default 1. */
  seed?: number;
  thresholds?: ThresholdResult[];
  partial?: boolean;
}

const ENDPOINTS_USED = ['authorize', 'login', 'callback', 'token', 'flow'] as const satisfies readonly EndpointClass[];

interface Acc {
  hist: Partial<Record<EndpointClass, Histogram>>;
  counts: Partial<Record<EndpointClass, { count: number; errors: number }>>;
  flows: { started: number; completed: number; failed: number; dropped: number };
  failures: Partial<Record<FailureClass, number>>;
}

function newAcc(): Acc {
  return { hist: {}, counts: {}, flows: { started: 0, completed: 0, failed: 0, dropped: 0 }, failures: {} };
}

function record(acc: Acc, endpoint: EndpointClass, latencyMs: number, error: boolean): void {
  const h = acc.hist[endpoint] ?? createHistogram();
  acc.hist[endpoint] = h;
  recordUs(h, latencyMs * 1000);
  const c = acc.counts[endpoint] ?? { count: 0, errors: 0 };
  acc.counts[endpoint] = c;
  c.count++;
  if (error) c.errors++;
}

function endpointsOf(acc: Acc): Partial<Record<EndpointClass, EndpointReport>> {
  const out: Partial<Record<EndpointClass, EndpointReport>> = {};
  for (const e of ENDPOINTS_USED) {
    const h = acc.hist[e];
    const c = acc.counts[e];
    if (!h || !c) continue;
    const enc = encodeHistogram(h);
    const summary = summarize(h);
    out[e] = { count: c.count, errors: c.errors, latencyMs: summary, serviceMs: summary, hdr: enc, serviceHdr: enc };
  }
  return out;
}

/** Nearest-rank percentile of an ascending array, ms rounded to µs. */
function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 1000) / 1000;
}

/** mulberry32: a tiny seeded PRNG so fixtures are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds a valid `tokenstorm/report@1` report from a simple latency model, recording every
 * synthetic flow into real µs HDR histograms (so `compare` and the percentile spectrum work on it).
 *
 * @example
 * const base = buildSyntheticReport({ seed: 7 });
 * const slower = buildSyntheticReport({ seed: 7, latencyMultiplier: 1.5 });
 * const ramp = buildSyntheticReport({ ramp: { fromRatePerSec: 50, toRatePerSec: 250 }, breakAtRatePerSec: 150, fault: null });
 */
export function buildSyntheticReport(opts: SyntheticReportOptions = {}): Report {
  const durationSec = opts.durationSec ?? 60;
  const mult = opts.latencyMultiplier ?? 1;
  const tokenBaseMs = opts.tokenBaseMs ?? 20;
  const rand = prng(opts.seed ?? 1);
  const fault =
    opts.fault === undefined ? (durationSec >= 40 ? { atSec: 20, forSec: 10, addLatencyMs: 150 } : null) : opts.fault;
  const rateAt = (sec: number): number =>
    opts.ramp
      ? opts.ramp.fromRatePerSec + ((opts.ramp.toRatePerSec - opts.ramp.fromRatePerSec) * (sec + 0.5)) / durationSec
      : (opts.ratePerSec ?? 50);

  const faultDesc = fault ? `token: latency ${fault.addLatencyMs}ms` : '';
  const phaseDefs: Array<{ name: string; startSec: number; endSec: number; faults: string[] }> = fault
    ? [
        { name: 'baseline', startSec: 0, endSec: fault.atSec, faults: [] },
        { name: 'token-latency', startSec: fault.atSec, endSec: fault.atSec + fault.forSec, faults: [faultDesc] },
        { name: 'recovery', startSec: fault.atSec + fault.forSec, endSec: durationSec, faults: [] },
      ]
    : [{ name: 'baseline', startSec: 0, endSec: durationSec, faults: [] }];
  const phaseAcc = phaseDefs.map(() => newAcc());
  const total = newAcc();
  const series: SeriesPoint[] = [];

  for (let sec = 0; sec < durationSec; sec++) {
    const phaseIdx = Math.max(
      0,
      phaseDefs.findIndex((p) => sec >= p.startSec && sec < p.endSec),
    );
    const inFault = phaseDefs[phaseIdx]!.faults.length > 0;
    const rate = rateAt(sec);
    const offered = Math.round(rate);
    const saturated = opts.breakAtRatePerSec !== undefined && rate > opts.breakAtRatePerSec;
    const point: SeriesPoint = {
      t: sec,
      phase: phaseDefs[phaseIdx]!.name,
      started: 0,
      completed: 0,
      failed: 0,
      dropped: 0,
      inFlight: 0,
      endpoints: {},
      failures: {},
    };
    const perSec: Partial<Record<EndpointClass, number[]>> = {};
    const perSecErr: Partial<Record<EndpointClass, number>> = {};

    for (let i = 0; i < offered; i++) {
      if (saturated && rand() < 0.02) {
        point.dropped++;
        continue;
      }
      point.started++;
      let failure: FailureClass | null = null;
      if (saturated && rand() < 0.1) failure = 'server_error';
      else if (inFault && rand() < 0.03) failure = 'timeout_response';
      else if (rand() < 0.002) failure = 'rate_limited';

      const u = rand();
      const tail = rand() < 0.05 ? 1 + rand() : 0;
      let tokenMs = tokenBaseMs * (0.6 + 0.8 * u + tail);
      if (saturated) tokenMs *= 10;
      if (inFault && fault) tokenMs += fault.addLatencyMs;
      const lat: Record<(typeof ENDPOINTS_USED)[number], number> = {
        authorize: (2 + 2 * rand()) * mult,
        login: (4 + 3 * rand()) * mult,
        callback: (1 + rand()) * mult,
        token: tokenMs * mult,
        flow: 0,
      };
      lat.flow = lat.authorize + lat.login + lat.callback + lat.token + 0.5;
      for (const e of ENDPOINTS_USED) {
        const err = failure !== null && (e === 'token' || e === 'flow');
        for (const acc of [total, phaseAcc[phaseIdx]!]) record(acc, e, lat[e], err);
        const values = perSec[e] ?? [];
        perSec[e] = values;
        values.push(lat[e]);
        if (err) perSecErr[e] = (perSecErr[e] ?? 0) + 1;
      }
      if (failure) {
        point.failed++;
        point.failures[failure] = (point.failures[failure] ?? 0) + 1;
      } else point.completed++;
    }
    // Little's law: in flight ≈ arrival rate × median flow time.
    point.inFlight = Math.round((point.started * medianOf(perSec.flow)) / 1000);
    for (const e of ENDPOINTS_USED) {
      const values = perSec[e];
      if (!values) continue;
      values.sort((a, b) => a - b);
      point.endpoints[e] = {
        count: values.length,
        errors: perSecErr[e] ?? 0,
        p50: pct(values, 50),
        p95: pct(values, 95),
        p99: pct(values, 99),
      };
    }
    for (const acc of [total, phaseAcc[phaseIdx]!]) {
      acc.flows.started += point.started;
      acc.flows.completed += point.completed;
      acc.flows.failed += point.failed;
      acc.flows.dropped += point.dropped;
      for (const [k, n] of Object.entries(point.failures) as Array<[FailureClass, number]>) {
        acc.failures[k] = (acc.failures[k] ?? 0) + n;
      }
    }
    series.push(point);
  }

  const phases: PhaseReport[] = phaseDefs.map((p, i) => ({
    name: p.name,
    startMs: p.startSec * 1000,
    endMs: Math.min(p.endSec, durationSec) * 1000,
    faults: p.faults,
    flows: phaseAcc[i]!.flows,
    endpoints: endpointsOf(phaseAcc[i]!),
    failures: phaseAcc[i]!.failures,
  }));
  const endpoints = endpointsOf(total);
  const tokenP95 = endpoints.token?.latencyMs.p95 ?? null;
  const faults: FaultOutcome[] | undefined = fault
    ? [
        {
          fault: faultDesc,
          phase: 'token-latency',
          atMs: fault.atSec * 1000,
          forMs: fault.forSec * 1000,
          timeToDetectMs: 1000,
          timeToRecoverMs: 2000,
        },
      ]
    : undefined;
  const stages = opts.ramp
    ? [{ durationMs: durationSec * 1000, targetRatePerSec: opts.ramp.toRatePerSec }]
    : [{ durationMs: durationSec * 1000, targetRatePerSec: opts.ratePerSec ?? 50 }];

  const report: Report = {
    schema: 'tokenstorm/report@1',
    runId: `synthetic-${opts.seed ?? 1}`,
    scenario: {
      name: opts.name ?? 'synthetic',
      file: null,
      mode: 'flow',
      model: 'open',
      description: opts.description ?? 'Synthetic report built by test/support/report-fixture.ts',
    },
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: durationSec * 1000,
    partial: opts.partial ?? false,
    target: { kind: 'embedded', issuer: 'http://127.0.0.1:4000', clientId: 'tokenstorm', faults: 'embedded' },
    load: { model: 'open', stages },
    flows: { ...total.flows, late: 0 },
    endpoints,
    failures: total.failures,
    failureEvidence: total.failures.server_error
      ? [{ failureClass: 'server_error', endpoint: 'token', status: 500, error: 'server_error', description: 'synthetic' }]
      : [],
    phases,
    series,
    thresholds: opts.thresholds ?? [{ expr: 'token:p(95)<200', ok: tokenP95 !== null && tokenP95 < 200, actual: tokenP95 }],
    slo: { p95Ms: 200, errorRate: 0.05, endpoint: 'token' },
    harness: {
      eventLoopDelayMs: { p50: 0.5, p99: 3.2, max: 11.4 },
      cpuCores: 0.42,
      cpuMsPerFlow: 0.31,
      idpCpuCores: 0.8,
      bottleneck: false,
      reasons: [],
      verifierPool: { workers: 2, taken: total.flows.started, waits: 0 },
      node: 'v24.0.0',
    },
  };
  if (faults) report.faults = faults;
  return report;
}

function medianOf(values: number[] | undefined): number {
  if (!values || values.length === 0) return 0;
  return pct([...values].sort((a, b) => a - b), 50);
}
