/**
 * The real thing: a Prometheus server on 127.0.0.1 scrapes a short game-day run (runPlan with
 * metricsPort) every second; its HTTP API must then agree with report.json — flow counts, failure
 * classes, per-endpoint counts, rates, phases and faults — the alert rules must load and evaluate,
 * and every dashboard query must run.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/run.ts';
import type { Report } from '../../../src/report/schema.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { freePort, IN_CI, MISSING, startPrometheus } from './prometheus-server.ts';

const outDir = join(tmpdir(), `tokenstorm-prom-run-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));
const ALERTS = resolve('deploy/prometheus/alerts.yml');
const DASHBOARD = resolve('deploy/grafana/tokenstorm.json');

if (MISSING && !IN_CI) console.warn(`skipping the Prometheus tests: ${MISSING}`);

/** Polls until `check` stops throwing (Prometheus ingests the final scrape asynchronously). */
async function eventually<T>(check: () => Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

describe.skipIf(MISSING !== null && !IN_CI)('live metrics scraped by a real Prometheus', () => {
  it('has every series, and its counts and rates agree with report.json', async () => {
    // Under CI the peer is required: say why instead of skipping.
    if (MISSING) throw new Error(`${MISSING} (CI=true: this test needs the real Prometheus)`);
    const metricsPort = await freePort();
    await using prom = await startPrometheus([`127.0.0.1:${metricsPort}`], [ALERTS]);
    const plan = validateScenario(
      {
        name: 'obs-itest',
        load: { ratePerSec: 20, duration: '10s' },
        // The IdP stops accepting S256 for 3 s: pkce_method_rejected failures in their own phase.
        faults: [{ at: '3s', for: '3s', idpMode: 'reject-s256' }],
        slo: { errorRate: 0.01, p95Ms: 2000 },
      },
      null,
    );
    const outcome = await runPlan(plan, { outDir, metricsPort });
    const r: Report = outcome.report;
    expect(r.flows.failed, 'the fault produced failures').toBeGreaterThan(0);
    expect(r.failures.pkce_method_rejected).toBeGreaterThan(0);

    // Final counts: the exporter held on for one last scrape after the run ended. last_over_time
    // looks past the staleness markers Prometheus writes once the target is gone.
    const flows = await eventually(async () => {
      const rows = await prom.query('last_over_time(tokenstorm_flows_total[10m])');
      const byOutcome = Object.fromEntries(rows.map((x) => [x.metric['outcome'], Number(x.value[1])]));
      expect(byOutcome).toEqual({ started: r.flows.started, completed: r.flows.completed, failed: r.flows.failed, dropped: r.flows.dropped, late: r.flows.late });
      return byOutcome;
    });
    expect(flows['started']).toBeGreaterThan(100);

    const failures = await prom.query('sum by (class) (last_over_time(tokenstorm_failures_total[10m]))');
    expect(Object.fromEntries(failures.map((x) => [x.metric['class'], Number(x.value[1])]))).toEqual(r.failures);

    const counts = await prom.query('last_over_time(tokenstorm_latency_seconds_count[10m]) > 0');
    const expectedCounts = Object.fromEntries(Object.entries(r.endpoints).map(([e, x]) => [e, x!.count]));
    expect(Object.fromEntries(counts.map((x) => [x.metric['endpoint'], Number(x.value[1])]))).toEqual(expectedCounts);
    const errors = await prom.query('last_over_time(tokenstorm_exchanges_total{outcome="error"}[10m]) > 0');
    const expectedErrors = Object.fromEntries(Object.entries(r.endpoints).filter(([, x]) => x!.errors > 0).map(([e, x]) => [e, x!.errors]));
    expect(Object.fromEntries(errors.map((x) => [x.metric['endpoint'], Number(x.value[1])]))).toEqual(expectedErrors);

    // Rates: Prometheus's per-second start rate in the steady middle of the run vs the report's
    // series. (startedAt is when runPlan began, before the IdP started: the load window is found
    // in the data itself, as the span where flows were starting, less its ramp in and out.)
    const startSec = Date.parse(r.startedAt) / 1000;
    const endSec = Date.now() / 1000;
    const q = new URLSearchParams({ query: 'sum(rate(tokenstorm_flows_total{outcome="started"}[3s]))', start: String(startSec), end: String(endSec), step: '1' });
    const range = await prom.api(`/api/v1/query_range?${q}`);
    expect(range.status).toBe('success');
    const values = (range.data as { result: Array<{ values: Array<[number, string]> }> }).result[0]!.values.map((v) => Number(v[1])).filter((v) => v > 0);
    expect(values.length, 'seconds with flows starting').toBeGreaterThan(6);
    const promRate = median(values.slice(3, -3));
    const reportRate = median(r.series.slice(2, -1).map((p) => p.started));
    expect(reportRate).toBeGreaterThan(10);
    expect(Math.abs(promRate - reportRate) / reportRate, `prometheus ${promRate}/s vs report ${reportRate}/s`).toBeLessThan(0.35);

    // Token p95 from the exponential buckets lands near the HDR p95 (a bucket is a factor of 2 wide).
    const p95 = await prom.query('histogram_quantile(0.95, sum by (le) (last_over_time(tokenstorm_latency_seconds_bucket{endpoint="token"}[10m])))');
    const hdrP95Sec = r.endpoints.token!.latencyMs.p95 / 1000;
    expect(Number(p95[0]!.value[1])).toBeGreaterThan(hdrP95Sec / 2.5);
    expect(Number(p95[0]!.value[1])).toBeLessThan(hdrP95Sec * 2.5);

    // Phases and faults as labelled gauges; run info; SLO; the harness self-check.
    const phases = await prom.query('last_over_time(tokenstorm_phase[10m])');
    expect(new Set(phases.map((x) => x.metric['phase']))).toEqual(new Set(r.phases.map((p) => p.name)));
    const faultRows = await prom.query('max_over_time(tokenstorm_fault_active[10m]) == 1');
    expect(faultRows.map((x) => x.metric['fault'])).toEqual(r.phases.flatMap((p) => p.faults));
    const info = await prom.query('last_over_time(tokenstorm_run_info[10m])');
    expect(info[0]!.metric).toMatchObject({ scenario: 'obs-itest', mode: 'flow', model: 'open' });
    expect(Number((await prom.query('last_over_time(tokenstorm_slo_error_ratio[10m])'))[0]!.value[1])).toBe(0.01);
    expect(Number((await prom.query('last_over_time(tokenstorm_harness_cpu_seconds_total[10m])'))[0]!.value[1])).toBeGreaterThan(0);
    expect((await prom.query('last_over_time(tokenstorm_harness_event_loop_delay_seconds[10m])')).length).toBe(3);

    // The alert rules loaded into the real server and evaluated without errors.
    const rules = await eventually(async () => {
      const body = await prom.api('/api/v1/rules');
      const all = (body.data as { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> }).groups.flatMap((g) => g.rules);
      for (const rule of all) expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).toBe('ok');
      return all.map((x) => x.name);
    });
    expect(rules).toContain('TokenstormErrorBudgetBurn');

    // Every dashboard query is valid PromQL on this server, and the ones about flows return data.
    const dash = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const atSec = endSec + 1;
    let withData = 0;
    for (const panel of dash.panels) {
      for (const t of panel.targets ?? []) {
        const expr = t.expr.replaceAll('$__rate_interval', '4s').replaceAll('$__range', '1m').replaceAll('$endpoint', 'token');
        const rows = await prom.query(expr, atSec);
        if (rows.length > 0) withData++;
      }
    }
    expect(withData, 'most dashboard queries return data for a run').toBeGreaterThan(15);

    // Exemplars (OpenMetrics): the failure series carry trace ids of failed flows, for trace links.
    const ex = await prom.api(
      `/api/v1/query_exemplars?${new URLSearchParams({ query: 'tokenstorm_failures_total', start: String(startSec - 60), end: String(Date.now() / 1000 + 60) })}`,
    );
    expect(ex.status).toBe('success');
    const exemplars = (ex.data as Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string> }> }>).flatMap((s) =>
      s.exemplars.map((x) => ({ cls: s.seriesLabels['class'], traceId: x.labels['trace_id'] })),
    );
    expect(exemplars.length).toBeGreaterThan(0);
    for (const x of exemplars) {
      expect(x.cls).toBe('pkce_method_rejected');
      expect(x.traceId).toMatch(/^[0-9a-f]{32}$/);
    }

    // The report keeps failed-flow samples with the trace ids their requests carried.
    const samples = r.failureSamples ?? [];
    expect(samples.length).toBeGreaterThan(0);
    const faultPhase = r.phases.find((p) => p.faults.length > 0)!;
    for (const s of samples) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.phase).toBe(faultPhase.name);
      expect(s.failureClass).toBe('pkce_method_rejected');
    }
    expect(faultPhase.burnRate).toBeGreaterThan(5);
    expect(r.phases[0]!.burnRate).toBe(0);
  });
});
