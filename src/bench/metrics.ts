/**
 * Live-metrics overhead benchmark (issue 12: "under 2 % of harness CPU when on"). Two views:
 *
 * - `metricsCpuPct` (the gate): what the Prometheus listener adds per flow (the recorder's events
 *   of one real flow replayed with and without it) plus one scrape per second (serialising the
 *   registry with every series populated), as a share of the harness's measured CPU at the same
 *   rate. Deterministic enough to compare across machines.
 * - `endToEnd`: whole runs against the embedded IdP alternating metrics off/on; CPU per flow of each.
 *   On a shared machine its difference is within noise; it is there to show nothing larger hides.
 *
 * Also `traceContextNsPerFlow`: what the always-on `traceparent` costs per flow, and
 * `otlpUsPerSpan`: what `--otlp` costs per request span (SDK span, batching, JSON encoding, the
 * HTTP export to a loopback receiver that discards it), flushed and measured in this process.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOtlpExporter } from '../export/otlp.ts';
import { createTokenstormMetrics } from '../export/prometheus-metrics.ts';
import { newSpanId, newTraceId, traceparent } from '../flow/trace-context.ts';
import { startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { Recorder } from '../metrics/recorder.ts';
import type { EndpointClass, FailureClass } from '../report/schema.ts';
import { runPlan } from '../run.ts';
import { validateScenario } from '../scenario/validate.ts';

/** Result of {@link benchMetrics}. */
export interface MetricsBenchResult {
  ratePerSec: number;
  /** Harness CPU per completed flow with metrics off (measured run), ms. */
  harnessCpuMsPerFlow: number;
  /** CPU the Prometheus listener adds per flow, ns. */
  listenerNsPerFlow: number;
  /** CPU of one scrape (registry serialised, all endpoints and some failure classes populated), µs. */
  scrapeUs: number;
  /** (listener × rate + one scrape per second) ÷ harness CPU at that rate, % (goal < 2). */
  metricsCpuPct: number;
  /** What the traceparent header costs per flow (ids, header values, header objects), ns. */
  traceContextNsPerFlow: number;
  traceContextCpuPct: number;
  /** CPU per exported request span with --otlp (this process: SDK, batching, encoding, HTTP), µs. */
  otlpUsPerSpan: number;
  /** --otlp's CPU at this rate (6 spans per flow) ÷ harness CPU, %. */
  otlpCpuPct: number;
  endToEnd: { offCpuMsPerFlow: number; onCpuMsPerFlow: number; onVsOffPct: number };
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

// The recorder events of one embedded-IdP flow (authorize, login ×2, consent, callback, token).
const FLOW_STEPS: EndpointClass[] = ['authorize', 'login', 'login', 'consent', 'callback', 'token'];

function replay(rec: Recorder, flows: number): void {
  for (let i = 0; i < flows; i++) {
    rec.flowStarted(0);
    for (const step of FLOW_STEPS) rec.exchange(step, 2_000 + (i % 997), 2_000 + (i % 997), true);
    const ok = i % 50 !== 0;
    if (!ok) rec.failure({ failureClass: 'pkce_mismatch', endpoint: 'token', status: 400, error: 'invalid_grant' });
    rec.flowEnded(ok, 15_000 + (i % 3001), 14_000);
  }
}

function cpuNs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
}

/** Best of a few: the least disturbed measurement on a shared machine. */
function bestOf(n: number, fn: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) best = Math.min(best, fn());
  return best;
}

function listenerNsPerFlow(): number {
  const flows = 200_000;
  const measure = (withListener: boolean): number => {
    const rec = new Recorder({ now: () => 0 });
    const m = withListener ? createTokenstormMetrics() : null;
    if (m) rec.listen(m.listener);
    replay(rec, 20_000); // warm the JIT
    const ns = cpuNs(() => replay(rec, flows));
    m?.close();
    return ns / flows;
  };
  const off = bestOf(3, () => measure(false));
  const on = bestOf(3, () => measure(true));
  return Math.max(0, on - off);
}

async function scrapeUs(): Promise<number> {
  const m = createTokenstormMetrics({ scenario: 'bench', mode: 'flow', model: 'open', slo: { errorRate: 0.01, p95Ms: 200 } });
  const rec = new Recorder({ now: () => 0 });
  rec.listen(m.listener);
  replay(rec, 10_000);
  const classes: FailureClass[] = ['pkce_mismatch', 'timeout_response', 'connection_refused', 'server_error', 'rate_limited'];
  for (const c of classes) rec.failure({ failureClass: c, endpoint: 'token' });
  rec.beginPhase('token latency 300ms', ['token: latency 300ms']);
  for (let i = 0; i < 20; i++) await m.registry.metrics();
  let total = 0;
  const n = 200;
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    await m.registry.metrics();
    const c = process.cpuUsage(c0);
    total += c.user + c.system;
  }
  m.close();
  return total / n;
}

function traceContextNsPerFlow(): number {
  const flows = 200_000;
  const base: Readonly<Record<string, string>> = { accept: 'application/json' };
  let sink = 0;
  const run = (): number =>
    cpuNs(() => {
      for (let i = 0; i < flows; i++) {
        const traceId = newTraceId();
        for (let s = 0; s < FLOW_STEPS.length; s++) {
          const headers = { ...base, traceparent: traceparent(traceId, newSpanId()) };
          sink += headers.traceparent.length;
        }
      }
    }) / flows;
  run();
  const ns = bestOf(3, run);
  if (sink < 0) throw new Error('unreachable');
  return ns;
}

async function otlpUsPerSpan(): Promise<number> {
  // A receiver that reads and discards: the collector's own cost is not the harness's.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const spans = 20_000;
    const feed = async (n: number): Promise<number> => {
      const exporter = startOtlpExporter({ url: `http://127.0.0.1:${port}/v1/traces`, scheduledDelayMs: 200 });
      const c0 = process.cpuUsage();
      const traceId = newTraceId();
      for (let i = 0; i < n; i++) {
        exporter.listener.request({ endpoint: 'token', method: 'POST', target: `http://127.0.0.1:${port}/token`, traceId, spanId: newSpanId(), startMs: i, serviceUs: 1500, status: 200 });
        // Paced at 20 000 spans/s (a 100 flows/s run makes 600): faster, the batch processor's queue
        // overflows and drops spans, which would undercount the cost (checked: all 20 000 arrive).
        if (i % 200 === 199) await new Promise((r) => setTimeout(r, 10));
      }
      await exporter[Symbol.asyncDispose]();
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / n;
    };
    await feed(2_000); // warm-up
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 2; i++) best = Math.min(best, await feed(spans));
    return best;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/**
 * Runs the benchmark (about 5 × seconds + start-up).
 *
 * @example
 * const r = await benchMetrics({ ratePerSec: 100, seconds: 5 }); r.metricsCpuPct; // goal < 2
 */
export async function benchMetrics(opts: { ratePerSec?: number; seconds?: number } = {}): Promise<MetricsBenchResult> {
  const ratePerSec = opts.ratePerSec ?? 100;
  const seconds = opts.seconds ?? 5;
  const out = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-metrics-'));
  const idp = await startEmbeddedIdp();
  try {
    const plan = validateScenario({ name: 'bench-metrics', load: { ratePerSec, duration: seconds * 1000, maxInFlight: 512 } }, null);
    const cpuPerFlow = async (metrics: boolean): Promise<number> => {
      const r = await runPlan(plan, { embeddedIdp: idp, direct: true, outDir: out, ...(metrics ? { metricsPort: 0 } : {}) });
      return r.report.harness.cpuMsPerFlow ?? Number.NaN;
    };
    await cpuPerFlow(false); // warm-up (JIT, pools, the IdP's caches)
    // Alternate off/on (off-on, then on-off) so drift and warm-up on a shared machine hit both
    // alike; keep the best of each.
    const off: number[] = [];
    const on: number[] = [];
    for (const order of [
      [false, true],
      [true, false],
    ]) {
      for (const metrics of order) (metrics ? on : off).push(await cpuPerFlow(metrics));
    }
    const offMs = Math.min(...off);
    const onMs = Math.min(...on);
    const listenerNs = listenerNsPerFlow();
    const scrape = await scrapeUs();
    const harnessNsPerSec = offMs * 1e6 * ratePerSec;
    const traceNs = traceContextNsPerFlow();
    const otlpUs = await otlpUsPerSpan();
    return {
      ratePerSec,
      harnessCpuMsPerFlow: round(offMs),
      listenerNsPerFlow: Math.round(listenerNs),
      scrapeUs: Math.round(scrape),
      metricsCpuPct: round(((listenerNs * ratePerSec + scrape * 1000) / harnessNsPerSec) * 100, 2),
      traceContextNsPerFlow: Math.round(traceNs),
      traceContextCpuPct: round((traceNs / (offMs * 1e6)) * 100, 2),
      otlpUsPerSpan: round(otlpUs, 1),
      otlpCpuPct: round(((otlpUs * FLOW_STEPS.length) / (offMs * 1000)) * 100, 2),
      endToEnd: { offCpuMsPerFlow: round(offMs), onCpuMsPerFlow: round(onMs), onVsOffPct: round(((onMs - offMs) / offMs) * 100, 1) },
    };
  } finally {
    await idp.stop();
    await rm(out, { recursive: true, force: true });
  }
}
