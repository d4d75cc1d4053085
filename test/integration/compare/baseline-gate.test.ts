/**
 * The CI regression gate end to end: real token-mode runs, the second with a latency toxic on the
 * token route, compared on the stored histograms with `run --baseline`.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-compare-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

// Every run carries a 40 ms base latency on the token route, so p95 is dominated by a known,
// stable delay rather than by a few-ms service time that machine noise can double.
function plan(extraLatencyMs: number) {
  return validateScenario(
    {
      name: 'token-gate',
      mode: 'token',
      load: { ratePerSec: 40, duration: '3s' },
      codeBank: { size: 150, producers: 8 },
      faults: [{ at: 0, for: '3s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 40 + extraLatencyMs } } }],
    },
    null,
  );
}

describe('run --baseline', () => {
  it('passes an identical rerun and fails a run with +30 ms on the token endpoint', async () => {
    const base = await runPlan(plan(0), { outDir });
    expect(base.report.endpoints.token!.count).toBeGreaterThan(100);

    const rerun = await runPlan(plan(0), { outDir, baselineFile: base.files.json, tolerancePct: 25 });
    // Token mode gates on the token endpoint only (the front channel just feeds the code bank).
    expect(rerun.report.regressions!.map((c) => c.endpoint)).toEqual(['token']);
    const rerunToken = rerun.report.regressions![0]!;
    expect(rerunToken.ok).toBe(true);
    expect(rerun.exitCode).toBe(0);

    const slower = await runPlan(plan(30), { outDir, baselineFile: base.files.json, tolerancePct: 25 });
    const token = slower.report.regressions!.find((c) => c.endpoint === 'token' && c.stat === 'p95')!;
    expect(token.ok).toBe(false);
    expect(token.current).toBeGreaterThan(token.baseline * 1.25);
    expect(slower.exitCode).toBe(1);
  });
});
