import { describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../../src/export/metrics-server.ts';
import { startObservability } from '../../../src/export/observability.ts';
import { createTokenstormMetrics, LATENCY_BUCKETS_SECONDS } from '../../../src/export/prometheus-metrics.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';

describe('tokenstorm metrics (prom-client)', () => {
  it('turns recorder events into counters, histograms in seconds and labelled gauges', async () => {
    const m = createTokenstormMetrics({ scenario: 'unit', mode: 'flow', model: 'open', slo: { errorRate: 0.02, p95Ms: 250, endpoint: 'token' } });
    const rec = new Recorder({ now: () => 0 });
    rec.listen(m.listener);
    rec.flowStarted(0);
    rec.flowStarted(50); // late
    rec.exchange('token', 3_000, 40_000, true); // 3 ms service, 40 ms from intended start
    rec.flowEnded(true, 50_000, 10_000);
    rec.beginPhase('token down', ['token: down']);
    rec.failure({ failureClass: 'connection_refused', endpoint: 'token' });
    rec.flowEnded(false, 1_000, 1_000);
    rec.flowDropped();
    rec.beginPhase('recovery', []);
    const text = await m.registry.metrics();
    m.close();
    for (const line of [
      'tokenstorm_flows_total{outcome="started"} 2',
      'tokenstorm_flows_total{outcome="late"} 1',
      'tokenstorm_flows_total{outcome="completed"} 1',
      'tokenstorm_flows_total{outcome="failed"} 1',
      'tokenstorm_flows_total{outcome="dropped"} 1',
      'tokenstorm_flows_in_flight 0',
      'tokenstorm_exchanges_total{endpoint="token",outcome="ok"} 1',
      'tokenstorm_exchanges_total{endpoint="flow",outcome="error"} 1',
      'tokenstorm_failures_total{class="connection_refused",endpoint="token"} 1',
      // 40 ms from the intended start lands in the 0.064 s bucket, 3 ms service time in 0.004 s.
      'tokenstorm_latency_seconds_bucket{le="0.032",endpoint="token"} 0',
      'tokenstorm_latency_seconds_bucket{le="0.064",endpoint="token"} 1',
      'tokenstorm_service_seconds_bucket{le="0.004",endpoint="token"} 1',
      'tokenstorm_latency_seconds_sum{endpoint="token"} 0.04',
      'tokenstorm_phase{phase="baseline"} 0',
      'tokenstorm_phase{phase="token down"} 0',
      'tokenstorm_phase{phase="recovery"} 1',
      'tokenstorm_fault_active{fault="token: down"} 0',
      'tokenstorm_run_info{scenario="unit",mode="flow",model="open"} 1',
      'tokenstorm_slo_error_ratio 0.02',
      'tokenstorm_slo_latency_seconds{endpoint="token"} 0.25',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/tokenstorm_harness_cpu_seconds_total \d/);
    expect(LATENCY_BUCKETS_SECONDS[0]).toBe(0.001);
    expect(LATENCY_BUCKETS_SECONDS.length).toBe(16);
  });

  it('serves GET /metrics only, on 127.0.0.1, and waits for a final scrape only when someone scrapes', async () => {
    const m = createTokenstormMetrics();
    try {
      const idle = await startMetricsServer({ registry: m.registry, port: 0, finalScrapeTimeoutMs: 60_000 });
      expect(idle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      // Never scraped: closing does not wait for the (60 s) final scrape.
      await idle[Symbol.asyncDispose]();

      const server = await startMetricsServer({ registry: m.registry, openMetricsRegistry: m.openMetricsRegistry, port: 0, finalScrapeTimeoutMs: 60_000 });
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      // What Prometheus asks for: OpenMetrics, with a failure's trace id as an exemplar.
      m.listener.failure(
        { failureClass: 'pkce_mismatch', endpoint: 'token' },
        { failureClass: 'pkce_mismatch', traceId: 'ab'.repeat(16), flowIndex: 7, phase: 'baseline', atMs: 1, endpoint: 'token' },
      );
      const om = await fetch(server.url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
      expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
      const omText = await om.text();
      expect(omText).toContain(`tokenstorm_failures_total{class="pkce_mismatch",endpoint="token"} 1 # {trace_id="${'ab'.repeat(16)}"} 1`);
      expect(omText.trimEnd().endsWith('# EOF')).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
      expect(server.scrapes).toBe(2);
      let closed = false;
      const closing = Promise.resolve(server[Symbol.asyncDispose]()).then(() => {
        closed = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(closed, 'waits for the final scrape').toBe(false);
      expect((await fetch(server.url)).status).toBe(200);
      await closing;
      expect(server.scrapes).toBe(3);

      const first = await startMetricsServer({ registry: m.registry, port: 0 });
      await expect(startMetricsServer({ registry: m.registry, port: first.port })).rejects.toMatchObject({ code: 'ERR_ADDRESS_IN_USE' });
      await first[Symbol.asyncDispose]();
    } finally {
      m.close();
    }
  });

  it('startObservability starts nothing and gives no listener when neither metrics nor OTLP is asked for', async () => {
    const obs = await startObservability({ info: { scenario: 'none', mode: 'flow', model: 'open' } });
    expect(obs.listener).toBeNull();
    expect(obs.metricsUrl).toBeNull();
    await obs[Symbol.asyncDispose]();
    const on = await startObservability({ metricsPort: 0, info: { scenario: 'on', mode: 'flow', model: 'open' }, finalScrapeTimeoutMs: 0 });
    expect(on.listener).not.toBeNull();
    expect(await (await fetch(on.metricsUrl!)).text()).toContain('tokenstorm_run_info{scenario="on",mode="flow",model="open"} 1');
    await on[Symbol.asyncDispose]();
    await expect(startObservability({ otlpUrl: 'http://192.0.2.1:4318/v1/traces', info: { scenario: 'x', mode: 'flow', model: 'open' } })).rejects.toMatchObject({
      code: 'ERR_NOT_LOOPBACK',
    });
  });
});
