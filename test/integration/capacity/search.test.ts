/**
 * The capacity search against the real embedded IdP (oidc-provider in a child process, the
 * embedded fault proxies, real sockets). The machine is small and shared, so rates and steps are
 * modest and the assertions are about the shape of the answer, with wide margins; the accuracy
 * goals (±15% of a closed-model saturation run, three searches within ±10%) are in
 * `tokenstorm bench capacity`, not here.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { runPlan } from '../../../src/run.ts';
import type { ScenarioInput } from '../../../src/scenario/types.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-capacity-${process.pid}`);
let idp: EmbeddedIdp;
beforeAll(async () => {
  idp = await startEmbeddedIdp();
});
afterAll(async () => {
  await idp?.stop();
  await rm(outDir, { recursive: true, force: true });
});

/**
 * p95 < 1 s, at most 24 flows in flight (arrivals beyond are dropped, which breaks a step): without
 * a fault the knee is where the IdP's own latency fills the slots, about 80/s on a busy 2-core box
 * and up to the IdP's own limit (600–700/s) on a quiet one, so the search may go far above 640/s
 * before a step breaks; with 500 ms added to every token response a flow takes over half a second,
 * so 24 slots cannot carry much more than 40 flows/s.
 */
function searchScenario(name: string, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name,
    load: {
      search: { startRatePerSec: 20, growth: 2, stepDuration: '3s', settle: '1s', minSamples: 20, resolutionPct: 25, maxRatePerSec: 5120 },
      maxInFlight: 24,
    },
    slo: { p95Ms: 1000, errorRate: 0.01, endpoint: 'token' },
    ...extra,
  };
}

describe('capacity search against the embedded IdP', () => {
  it('finds a knee; a latency toxic on the token route lowers it, and the baseline gate calls that a regression', async () => {
    const plain = await runPlan(validateScenario(searchScenario('search-plain'), null), { outDir, embeddedIdp: idp, thresholds: ['knee>=10'] });
    const k = plain.report.knee!;
    expect(k.method).toBe('search');
    expect(k.outcome, k.reason ?? '').toBe('found');
    expect(k.sustainedRatePerSec).toBeGreaterThanOrEqual(40);
    expect(k.brokeAtRatePerSec!).toBeGreaterThan(k.sustainedRatePerSec!);
    expect(k.resolutionPct!).toBeLessThanOrEqual(25);
    expect(k.answer).toMatch(/^\d+(\.\d)?\/s ±\d+(\.\d)?%$/);
    // Geometric growth from the start rate until a step broke, then bisection between the bounds.
    const steps = k.steps!;
    const grows = steps.filter((s) => s.kind === 'grow').map((s) => s.ratePerSec);
    expect(grows.slice(0, 3)).toEqual([20, 40, 80].slice(0, grows.length));
    expect(steps.some((s) => s.verdict === 'breach')).toBe(true);
    for (const s of steps.filter((x) => x.kind === 'bisect')) {
      expect(s.ratePerSec).toBeGreaterThan(k.sustainedRatePerSec! * 0.5);
      expect(s.ratePerSec).toBeLessThan(k.brokeAtRatePerSec! * 2);
    }
    // Every step is a recorder phase, judged on whole seconds after its settle time.
    for (const s of steps) {
      expect(plain.report.phases.map((p) => p.name)).toContain(`step ${s.index}: ${s.ratePerSec}/s`);
      expect(s.judgedFromMs - s.startMs).toBe(1000);
      expect(s.samples).toBeGreaterThan(0);
    }
    // The knee gates: knee>=10 holds, the run passes (a search's overload failures are its answer, not a failed run).
    expect(plain.report.thresholds).toEqual([{ expr: 'knee>=10', ok: true, actual: k.sustainedRatePerSec }]);
    expect(plain.exitCode).toBe(0);

    const faulted = await runPlan(
      validateScenario(
        searchScenario('search-token-latency', { faults: [{ at: 0, for: '1h', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 500 } } }] }),
        null,
      ),
      { outDir, embeddedIdp: idp, baseline: plain.report, tolerancePct: 10 },
    );
    const f = faulted.report.knee!;
    expect(faulted.report.faults?.[0]?.applied).toBe(true);
    // Phases name the step and the fault active during it.
    expect(faulted.report.phases.some((p) => p.name.startsWith('step 1: 20/s') && p.faults.length === 1)).toBe(true);
    expect(f.outcome, f.reason ?? '').toMatch(/found|below-start/);
    expect(f.sustainedRatePerSec ?? 0).toBeLessThan(k.sustainedRatePerSec! * 0.75);
    const gate = faulted.report.regressions?.find((c) => c.stat === 'knee');
    expect(gate).toMatchObject({ unit: 'flows/s', baseline: k.sustainedRatePerSec, ok: false });
    expect(faulted.report.regressions?.every((c) => c.stat === 'knee')).toBe(true);
    expect(faulted.exitCode).toBe(1);
  }, 300_000);

  it('stops early and says "at least X, harness-limited" when the harness itself cannot keep up', async () => {
    // The observer runs on the harness's event loop after every flow: 15 ms of busy work each makes
    // 80 flows/s need 1.2 cores of the harness alone, so its starts fall behind and its loop lags.
    const burn = (): void => {
      const end = performance.now() + 15;
      while (performance.now() < end);
    };
    const plan = validateScenario(
      {
        name: 'search-harness-bound',
        load: { search: { startRatePerSec: 20, growth: 2, stepDuration: '3s', settle: '1s', minSamples: 20, resolutionPct: 25, maxRatePerSec: 640 }, maxInFlight: 512 },
        slo: { p95Ms: 300, errorRate: 0.01, endpoint: 'flow' },
      },
      null,
    );
    const outcome = await runPlan(plan, { outDir, embeddedIdp: idp, direct: true, onFlow: burn });
    const k = outcome.report.knee!;
    expect(k.outcome, k.reason ?? '').toBe('harness-limited');
    expect(k.harnessLimited).toBe(true);
    expect(k.answer).toMatch(/^(at least [\d.]+\/s, harness-limited|no answer \(harness-limited at [\d.]+\/s\))$/);
    const last = k.steps!.at(-1)!;
    expect(last.verdict).toBe('harness-limited');
    expect(last.harness).toMatch(/late|event-loop delay|cores/);
    // It stopped instead of bisecting.
    expect(k.steps!.some((st) => st.kind === 'bisect')).toBe(false);
    expect(k.steps!.length).toBeLessThanOrEqual(6);
    expect(outcome.report.harness.bottleneck).toBe(true);
  }, 120_000);
});
