/**
 * tokenstorm's live metrics as a prom-client registry, fed by a {@link RecorderListener}. Names
 * follow Prometheus conventions (base units: seconds; counters end in `_total`); the dashboards and
 * alert rules under deploy/ are built on exactly these names (a test checks every query).
 *
 * - `tokenstorm_flows_total{outcome}`: started, completed, failed, dropped, late
 * - `tokenstorm_flows_in_flight`
 * - `tokenstorm_exchanges_total{endpoint,outcome}`: ok, error (endpoint `flow` = whole flows)
 * - `tokenstorm_failures_total{class,endpoint}`
 * - `tokenstorm_latency_seconds{endpoint}`: histogram from the intended start (coordinated-omission corrected)
 * - `tokenstorm_service_seconds{endpoint}`: histogram from the actual send
 * - `tokenstorm_phase{phase}` (1 = current), `tokenstorm_fault_active{fault}` (1 = active)
 * - `tokenstorm_slo_error_ratio`, `tokenstorm_slo_latency_seconds{endpoint}` (the run's SLO)
 * - `tokenstorm_run_info{scenario,mode,model}`
 * - `tokenstorm_harness_event_loop_delay_seconds{quantile}`, `tokenstorm_harness_cpu_seconds_total`
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, exponentialBuckets, Gauge, Histogram, type OpenMetricsContentType, openMetricsContentType, Registry } from 'prom-client';
import type { RecorderListener } from '../metrics/recorder-listener.ts';
import { IGNORE_ALL } from '../metrics/recorder-listener.ts';
import { ENDPOINT_CLASSES, type EndpointClass } from '../report/schema.ts';

/** 1 ms … ~33 s, doubling: 16 buckets cover a healthy token endpoint and a timed-out one alike. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = exponentialBuckets(0.001, 2, 16);

/** What the run tells the exporter about itself (labels and SLO gauges). */
export interface RunInfo {
  scenario: string;
  /** Workload: flow, token, refresh, client_credentials, … */
  mode: string;
  model: 'open' | 'closed';
  slo?: { errorRate?: number | null; p95Ms?: number | null; endpoint?: EndpointClass };
}

/** The registries and the listener that feeds them. */
export interface TokenstormMetrics {
  /** Prometheus text format 0.0.4 (what curl and older scrapers get). */
  registry: Registry;
  /**
   * The same metrics as OpenMetrics text (what Prometheus asks for), which also carries exemplars:
   * each failure counter series names the trace id of its latest failed flow (`trace_id`).
   */
  openMetricsRegistry: Registry<OpenMetricsContentType>;
  listener: RecorderListener;
  /** Stops the event-loop monitor. */
  close(): void;
}

// Sampling resolution of the self-check monitor; subtracted from readings as in metrics/harness-monitor.ts.
const LOOP_RESOLUTION_MS = 20;

/**
 * Creates the metrics. `info` labels the run and exports its SLO (the burn-rate alerts divide by it).
 *
 * @example
 * const m = createTokenstormMetrics({ scenario: 'smoke', mode: 'flow', model: 'open' });
 * recorder.listen(m.listener);
 * const text = await m.registry.metrics();
 */
export function createTokenstormMetrics(info?: RunInfo): TokenstormMetrics {
  const registry = new Registry();
  const openMetricsRegistry = new Registry<OpenMetricsContentType>();
  openMetricsRegistry.setContentType(openMetricsContentType);
  const registers = [registry, openMetricsRegistry];
  const flows = new Counter({ name: 'tokenstorm_flows_total', help: 'Flows (token mode: token exchanges) by outcome', labelNames: ['outcome'], registers });
  const inFlight = new Gauge({ name: 'tokenstorm_flows_in_flight', help: 'Flows started and not yet ended', registers });
  const exchanges = new Counter({
    name: 'tokenstorm_exchanges_total',
    help: 'Timed exchanges per endpoint class (flow = whole flows) by outcome',
    labelNames: ['endpoint', 'outcome'],
    registers,
  });
  // Exemplars only here: failures are rare, so the per-call objects they need cost nothing
  // measurable. prom-client allows exemplars only in an OpenMetrics registry, so the text registry
  // gets a twin counter without them.
  const failureConfig = { name: 'tokenstorm_failures_total', help: 'Classified failures by class and endpoint', labelNames: ['class', 'endpoint'] as const };
  const failures = new Counter({ ...failureConfig, enableExemplars: true, registers: [openMetricsRegistry] });
  const failuresText = new Counter({ ...failureConfig, registers: [registry] });
  const latency = new Histogram({
    name: 'tokenstorm_latency_seconds',
    help: 'Latency from the intended start (coordinated-omission corrected) per endpoint class',
    labelNames: ['endpoint'],
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers,
  });
  const service = new Histogram({
    name: 'tokenstorm_service_seconds',
    help: 'Service time from the actual send to the last body byte per endpoint class',
    labelNames: ['endpoint'],
    buckets: [...LATENCY_BUCKETS_SECONDS],
    registers,
  });
  const phase = new Gauge({ name: 'tokenstorm_phase', help: 'Fault-timeline phase (1 = current)', labelNames: ['phase'], registers });
  const faultActive = new Gauge({ name: 'tokenstorm_fault_active', help: 'Faults of the timeline (1 = active now)', labelNames: ['fault'], registers });
  const runInfo = new Gauge({ name: 'tokenstorm_run_info', help: 'The run being measured (always 1)', labelNames: ['scenario', 'mode', 'model'], registers });
  const sloErrorRatio = new Gauge({ name: 'tokenstorm_slo_error_ratio', help: "The run's SLO: allowed share of failed flows", registers });
  const sloLatency = new Gauge({ name: 'tokenstorm_slo_latency_seconds', help: "The run's SLO: p95 latency objective", labelNames: ['endpoint'], registers });

  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const sec = (ns: number): number => Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1000);
  new Gauge({
    name: 'tokenstorm_harness_event_loop_delay_seconds',
    help: "Harness event-loop delay since the previous scrape (the harness's own timing is suspect above ~0.05 s)",
    labelNames: ['quantile'],
    registers,
    collect() {
      if (loop.count === 0) return;
      this.set({ quantile: '0.5' }, sec(loop.percentile(50)));
      this.set({ quantile: '0.99' }, sec(loop.percentile(99)));
      this.set({ quantile: '1' }, sec(loop.max));
      loop.reset();
    },
  });
  let cpuSeen = process.cpuUsage();
  new Counter({
    name: 'tokenstorm_harness_cpu_seconds_total',
    help: 'CPU time used by the harness process (user + system)',
    registers,
    collect() {
      const d = process.cpuUsage(cpuSeen);
      cpuSeen = process.cpuUsage();
      this.inc((d.user + d.system) / 1e6);
    },
  });

  if (info) {
    runInfo.set({ scenario: info.scenario, mode: info.mode, model: info.model }, 1);
    if (info.slo?.errorRate != null) sloErrorRatio.set(info.slo.errorRate);
    if (info.slo?.p95Ms != null) sloLatency.set({ endpoint: info.slo.endpoint ?? 'flow' }, info.slo.p95Ms / 1000);
  }

  // Bound children: the hot path does no label hashing.
  const outcome = (o: string) => flows.labels({ outcome: o });
  const [started, completed, failed, dropped, late] = ['started', 'completed', 'failed', 'dropped', 'late'].map(outcome) as [
    Counter.Internal,
    Counter.Internal,
    Counter.Internal,
    Counter.Internal,
    Counter.Internal,
  ];
  for (const c of [started, completed, failed, dropped, late]) c.inc(0);
  interface PerEndpoint {
    latency: Histogram.Internal<string>;
    service: Histogram.Internal<string>;
    ok: Counter.Internal;
    error: Counter.Internal;
  }
  const perEndpoint = new Map<EndpointClass, PerEndpoint>();
  for (const endpoint of ENDPOINT_CLASSES) {
    perEndpoint.set(endpoint, {
      latency: latency.labels({ endpoint }),
      service: service.labels({ endpoint }),
      ok: exchanges.labels({ endpoint, outcome: 'ok' }),
      error: exchanges.labels({ endpoint, outcome: 'error' }),
    });
  }
  let currentPhase: string | null = null;
  let activeFaults: readonly string[] = [];

  const listener: RecorderListener = {
    ...IGNORE_ALL,
    exchange(endpoint, serviceUs, latencyUs, ok) {
      const e = perEndpoint.get(endpoint)!;
      e.latency.observe(latencyUs / 1e6);
      e.service.observe(serviceUs / 1e6);
      (ok ? e.ok : e.error).inc();
    },
    flowStarted(isLate) {
      started.inc();
      if (isLate) late.inc();
      inFlight.inc();
    },
    flowDropped() {
      dropped.inc();
    },
    flowEnded(ok) {
      (ok ? completed : failed).inc();
      inFlight.dec();
    },
    failure(evidence, sample) {
      const labels = { class: evidence.failureClass, endpoint: evidence.endpoint };
      // prom-client types exemplar labels with the metric's label names; trace_id is the convention Grafana links on.
      const exemplarLabels = sample ? ({ trace_id: sample.traceId } as unknown as typeof labels) : undefined;
      failures.inc(exemplarLabels ? { labels, value: 1, exemplarLabels } : { labels, value: 1 });
      failuresText.inc(labels);
    },
    phase(name, faults) {
      // Earlier phases and faults stay as 0 so a dashboard's state timeline shows when they ended.
      if (currentPhase !== null) phase.set({ phase: currentPhase }, 0);
      phase.set({ phase: name }, 1);
      currentPhase = name;
      for (const f of activeFaults) if (!faults.includes(f)) faultActive.set({ fault: f }, 0);
      for (const f of faults) faultActive.set({ fault: f }, 1);
      activeFaults = [...faults];
    },
  };
  return { registry, openMetricsRegistry, listener, close: () => loop.disable() };
}
