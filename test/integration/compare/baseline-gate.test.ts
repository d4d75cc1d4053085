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

// Every run carries a 300 ms base latency on the token route, so p95 is dominated by a known,
// stable delay rather than by a few-ms service time that machine noise can double. The margins
// hold on a busy machine (issue 15; latency is from the intended start, so harness stalls count,
// and 450 ms of noise on p95 was seen with other work on 2 cores): with tolerance 200% the rerun
// passes unless noise adds 600 ms more to its p95 than to the baseline's, and the slower run
// (+2.7 s, 10× the base) fails unless noise inflated the baseline's p95 by 700 ms.
function plan(extraLatencyMs: number) {
  return validateScenario(
    {
      name: 'token-gate',
      mode: 'token',
      load: { ratePerSec: 15, duration: '4s' },
      codeBank: { size: 150, producers: 8 },
      faults: [{ at: 0, for: '4s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 300 + extraLatencyMs } } }],
    },
    null,
  );
}

describe('run --baseline', () => {
  it('passes an identical rerun and fails a run with +2.7 s on the token endpoint', async () => {
    const base = await runPlan(plan(0), { outDir });
    expect(base.report.endpoints.token!.count).toBeGreaterThan(30);

    const rerun = await runPlan(plan(0), { outDir, baselineFile: base.files.json, tolerancePct: 200 });
    // Token mode gates on the token endpoint only (the front channel just feeds the code bank).
    expect(rerun.report.regressions!.map((c) => c.endpoint)).toEqual(['token']);
    const rerunToken = rerun.report.regressions![0]!;
    expect(rerunToken.ok).toBe(true);
    expect(rerun.exitCode).toBe(0);

    const slower = await runPlan(plan(2700), { outDir, baselineFile: base.files.json, tolerancePct: 200 });
    const token = slower.report.regressions!.find((c) => c.endpoint === 'token' && c.stat === 'p95')!;
    expect(token.ok, JSON.stringify(slower.report.regressions)).toBe(false);
    expect(token.current).toBeGreaterThan(token.baseline * 3);
    expect(slower.exitCode).toBe(1);
    // Three whole runs (IdP, pool, code bank, load, drain): minutes on a busy 2-core machine.
  }, 240_000);
});
