/**
 * Harness priming (load.primeFlows, flow mode): whole flows before the clock starts, through the
 * public API against the real embedded IdP. They warm the harness but are not measured: not in
 * the report's flows, not shown to flow observers; the report says how many ran. A target whose
 * flows fail ends the priming at the first failure instead of holding the run back.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, runPlan, startEmbeddedIdp, validateScenario } from '../../../src/index.ts';
import { scratch } from '../k6/helpers.ts';

const plan = (primeFlows?: number) =>
  validateScenario({ name: 'primed', load: { ratePerSec: 10, duration: '1s', ...(primeFlows === undefined ? {} : { primeFlows }) }, thresholds: [] }, 'inline');

describe('harness priming before the clock', () => {
  let idp: EmbeddedIdp;
  let dir: string;
  beforeAll(async () => {
    idp = await startEmbeddedIdp();
    dir = await scratch('prime');
  });
  afterAll(async () => {
    await idp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the default 20 flows first, outside the measurement and unseen by flow observers', async () => {
    let observed = 0;
    const before = (await idp.stats()).adapterEntries;
    const { report } = await runPlan(plan(), { outDir: dir, embeddedIdp: idp, direct: true, onFlow: () => observed++ });
    expect(report.harness.primedFlows).toBe(20);
    expect(report.flows.started + report.flows.dropped).toBe(10);
    expect(observed).toBe(report.flows.started);
    expect(report.endpoints.token!.count).toBe(report.flows.started);
    // The IdP did see them: each flow leaves a session, a grant and tokens in its store.
    expect((await idp.stats()).adapterEntries - before).toBeGreaterThan(20 + 10);
  });

  it('primeFlows 0 runs none; a target whose flows fail stops the priming at the first failure', async () => {
    expect((await runPlan(plan(0), { outDir: dir, embeddedIdp: idp, direct: true })).report.harness.primedFlows).toBe(0);
    await idp.setMode({ rejectS256: true });
    try {
      const { report } = await runPlan(plan(20), { outDir: dir, embeddedIdp: idp, direct: true });
      expect(report.harness.primedFlows).toBe(0);
      // Only the first priming flow was tried: the IdP logged one rejection before the measured ones.
      expect(report.flows.failed).toBe(report.flows.started);
      const rejections = idp.recentErrorDetails().filter((d) => d.detail === 'not supported value of code_challenge_method').length;
      expect(rejections).toBe(report.flows.started + 1);
    } finally {
      await idp.setMode({});
    }
  });

  it('an interrupt during the priming still returns a partial report, with nothing measured', async () => {
    const ac = new AbortController();
    // The first secret handled is the first priming flow's verifier: interrupt right there.
    const outcome = await runPlan(plan(20), { outDir: dir, embeddedIdp: idp, direct: true, signal: ac.signal, onSecret: () => ac.abort() });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.report.partial).toBe(true);
    expect(outcome.report.harness.primedFlows).toBeLessThan(20);
    expect(outcome.report.flows.started).toBe(0);
    expect(outcome.exitCode).not.toBe(0);
  });
});
