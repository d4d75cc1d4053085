/**
 * A real run: embedded oidc-provider in a child process, embedded fault proxies, real sockets.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSummary } from '../../../src/report/console.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-run-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('run against the embedded IdP', () => {
  it('completes every flow with sane percentiles, and no secret reaches any output', async () => {
    const plan = validateScenario(
      { name: 'itest', load: { ratePerSec: 25, duration: '4s' }, thresholds: ['flow:rate(failed)<0.01', 'token:p(95)<2000'] },
      null,
    );
    const secrets = new Set<string>();
    const outcome = await runPlan(plan, { outDir, onSecret: (s) => secrets.add(s) });
    const r = outcome.report;

    expect(r.schema).toBe('tokenstorm/report@1');
    expect(r.partial).toBe(false);
    expect(r.target.kind).toBe('embedded');
    expect(r.target.faults).toBe('embedded');
    expect(r.flows.started).toBe(100);
    expect(r.flows).toMatchObject({ completed: 100, failed: 0, dropped: 0 });
    expect(r.failures).toEqual({});
    // authorize, login POST + resume, consent POST, callback, token per flow
    expect(r.endpoints.authorize?.count).toBe(100);
    expect(r.endpoints.login?.count).toBe(200);
    expect(r.endpoints.consent?.count).toBe(100);
    expect(r.endpoints.callback?.count).toBe(100);
    expect(r.endpoints.token?.count).toBe(100);
    for (const [name, ep] of Object.entries(r.endpoints)) {
      const l = ep!.latencyMs;
      expect(l.p50, name).toBeGreaterThan(0);
      expect(l.p50, name).toBeLessThanOrEqual(l.p95);
      expect(l.p95, name).toBeLessThanOrEqual(l.p99);
      expect(l.p99, name).toBeLessThanOrEqual(l.max);
      expect(ep!.hdr.length, name).toBeGreaterThan(10);
    }
    // A flow is the sum of its steps.
    expect(r.endpoints.flow!.serviceMs.p50).toBeGreaterThan(r.endpoints.token!.serviceMs.p50);
    expect(r.series.length).toBeGreaterThanOrEqual(4);
    expect(r.series.reduce((a, p) => a + p.completed, 0)).toBe(100);
    expect(r.thresholds.map((t) => t.ok)).toEqual([true, true]);
    expect(outcome.exitCode).toBe(0);
    expect(r.harness.idpCpuCores).toBeGreaterThan(0);
    expect(r.harness.cpuMsPerFlow).toBeGreaterThan(0);

    // Secrets: verifiers, codes, tokens and cookie values were handled; none may be written.
    expect(secrets.size).toBeGreaterThan(400);
    const files = await readdir(outcome.dir);
    expect(files.sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    const texts = [formatSummary(r, outcome.files), ...(await Promise.all(files.map((f) => readFile(join(outcome.dir, f), 'utf8'))))];
    for (const text of texts) {
      for (const s of secrets) {
        if (text.includes(s)) throw new Error(`a secret (${s.length} chars) leaked into an output`);
      }
    }
  });

  it('fails a threshold with exit code 1 and says by how much', async () => {
    const plan = validateScenario({ name: 'itest-threshold', load: { ratePerSec: 10, duration: '1s' }, thresholds: ['token:p(95)<0.001'] }, null);
    const outcome = await runPlan(plan, { outDir, direct: true });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.report.target.faults).toBe('none');
    expect(outcome.report.thresholds[0]).toMatchObject({ expr: 'token:p(95)<0.001', ok: false });
    expect(outcome.report.thresholds[0]!.actual).toBeGreaterThan(0.001);
  });

  it('runs token mode: codes banked first, exchanges at the scheduled rate', async () => {
    const plan = validateScenario(
      { name: 'itest-token', mode: 'token', load: { ratePerSec: 40, duration: '2s' }, codeBank: { size: 30, producers: 4 } },
      null,
    );
    const outcome = await runPlan(plan, { outDir });
    const r = outcome.report;
    expect(r.scenario.mode).toBe('token');
    expect(r.flows.started + r.flows.dropped).toBe(80);
    expect(r.flows.failed).toBe(0);
    expect(r.flows.completed).toBe(r.flows.started);
    // The 30 codes banked before the clock started are all exchanged; beyond them, how many more
    // the producers bank in time depends on the machine (issue 15: no rate bound in tests), and an
    // exchange without a code is dropped, never delayed (started + dropped = 80 above).
    expect(r.flows.started).toBeGreaterThanOrEqual(30);
    expect(r.endpoints.token!.count).toBe(r.flows.completed);
  });

  it('reports a capacity knee for a ramp (one stage from startRatePerSec)', async () => {
    const plan = validateScenario(
      { name: 'itest-ramp', load: { startRatePerSec: 10, stages: [{ duration: '4s', target: 50 }] }, slo: { p95Ms: 5000, errorRate: 0.01 } },
      null,
    );
    const { report: r } = await runPlan(plan, { outDir, direct: true });
    expect(r.knee).toBeDefined();
    // A generous SLO holds all the way: sustained near the top of the ramp, never broken.
    expect(r.knee!.brokeAtRatePerSec).toBeNull();
    expect(r.knee!.sustainedRatePerSec).toBeGreaterThan(20);
  });

  it('runs the closed model with a fixed number of VUs', async () => {
    const plan = validateScenario({ name: 'itest-closed', load: { model: 'closed', vus: 4, duration: '2s' } }, null);
    const outcome = await runPlan(plan, { outDir, direct: true });
    const r = outcome.report;
    expect(r.scenario.model).toBe('closed');
    expect(r.flows.completed).toBeGreaterThan(8);
    expect(r.flows.failed).toBe(0);
    expect(r.flows.dropped).toBe(0);
  });
});

describe('run against a remote issuer (discovery)', () => {
  it('drives flows against --issuer and skews the harness clock for a remote clock fault', async () => {
    const { startEmbeddedIdp } = await import('../../../src/idp/embedded-idp.ts');
    // A standalone oidc-provider stands in for a remote IdP: the run only knows its URL and client.
    const remote = await startEmbeddedIdp();
    try {
      const plan = validateScenario(
        {
          name: 'remote',
          load: { ratePerSec: 20, duration: '4s' },
          target: { issuer: remote.issuer, clientId: remote.clientId, redirectUri: remote.redirectUri },
          faults: [{ at: '1500ms', for: '1500ms', clockSkewMs: 120_000 }],
        },
        null,
      );
      const { report: r } = await runPlan(plan, { outDir });
      expect(r.target).toMatchObject({ kind: 'remote', issuer: remote.issuer, clientId: remote.clientId });
      expect(r.flows.completed).toBeGreaterThan(30);
      const skewed = r.phases.find((p) => p.name === 'idp clock +120s')!;
      expect(skewed.failures.clock_skew).toBeGreaterThan(10);
      expect(r.phases[0]!.failures).toEqual({});
    } finally {
      await remote.stop();
    }
  });
});
