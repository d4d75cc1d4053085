/**
 * `tokenstorm bench startup` and `bench memory` from the built binary: the JSON keys the README
 * names, consistent with the runs behind them. Timing and memory figures are the benchmark's
 * business; this test checks that they are measured, not what they are.
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runBin } from '../../support/cli.ts';

const cli = (args: string[], timeoutMs: number): Promise<CliResult> => runBin(args, { cwd: ROOT, timeoutMs });

describe('tokenstorm bench startup', () => {
  it('--json measures head vs steady p99 and each side’s cold CPU in every variant', async () => {
    const r = await cli(['bench', 'startup', '--rate', '20', '--seconds', '6', '--no-warm-idp-first', '--prime-flows', '5', '--harness-prime-flows', '3', '--json'], 240_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ratePerSec: 20, seconds: 6, headSeconds: 5 });
    expect(out.idpWarm).toBeUndefined();
    // `fresh` is the IdP as a run starts it: primed, here with the 5 flows asked for.
    expect(out.fresh.primeFlows).toBe(5);
    expect(out.fresh.primeMs).toBeGreaterThan(0);
    expect(out.fresh.harnessPrimeFlows).toBe(3);
    for (const name of ['fresh', 'harnessWarm', 'bothWarm']) {
      const v = out[name];
      expect(v.failed, name).toBe(0);
      expect(v.headP99Ms, name).toBeGreaterThan(0);
      expect(v.steadyP99Ms, name).toBeGreaterThan(0);
      // Both p99s are rounded to 0.1 ms in the output, the ratio is taken before rounding.
      expect(Math.abs(v.headVsSteady - v.headP99Ms / v.steadyP99Ms), name).toBeLessThan(0.05 * v.headVsSteady + 0.02);
      expect(v.perSecondP99Ms, name).toHaveLength(6);
      expect(typeof v.idpColdExtraCpuMs, name).toBe('number');
      expect(typeof v.harnessColdExtraCpuMs, name).toBe('number');
      // The fresh run's priming opened its connections before the clock; the others open theirs in it.
      if (name === 'fresh') expect(v.connections, name).toBeGreaterThanOrEqual(0);
      else expect(v.connections, name).toBeGreaterThan(0);
    }
    expect(out.goalMet).toBe(out.fresh.headVsSteady <= 2);
  });

  it('rejects a bad flag in one line, exit 2', async () => {
    const r = await cli(['bench', 'startup', '--prime-flows', 'many'], 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--prime-flows');
  });
});

describe('tokenstorm bench memory', () => {
  it('--json reports peak RSS per rate for each variant and the ratios to k6’s recorded numbers and to the shipped setting', async () => {
    const r = await cli(['bench', 'memory', '--rates', '20,100', '--seconds', '2', '--json'], 240_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rates.map((x: { ratePerSec: number }) => x.ratePerSec)).toEqual([20, 100]);
    const [r20, r100] = out.rates;
    for (const x of [r20, r100]) {
      for (const v of [x.shipped, x.v8Default, x.verifierThread, x.liftoffOnly]) {
        expect(v.peakRssMb).toBeGreaterThan(20);
        expect(v.completed).toBeGreaterThan(0);
      }
      // The variants are what they say: no thread as shipped at these rates, one when asked for.
      expect(x.shipped.verifierWorkers).toBe(0);
      expect(x.v8Default.verifierWorkers).toBe(0);
      expect(x.verifierThread.verifierWorkers).toBe(1);
      expect(x.v8DefaultVsShipped).toBeCloseTo(x.v8Default.peakRssMb / x.shipped.peakRssMb, 1);
      expect(x.liftoffOnlyVsShipped).toBeCloseTo(x.liftoffOnly.peakRssMb / x.shipped.peakRssMb, 1);
    }
    expect(r20.k6RecordedPeakRssMb).toBeNull();
    expect(r20.vsK6Recorded).toBeNull();
    expect(r100.k6RecordedPeakRssMb).toBe(98);
    expect(r100.vsK6Recorded).toBeCloseTo(r100.shipped.peakRssMb / 98, 1);
    expect(r100.k6RecordedCpuMsPerFlow).toBe(3.39);
    expect(r100.cpuVsK6Recorded).toBeCloseTo(r100.shipped.cpuMsPerFlow / 3.39, 1);
    expect(r20.cpuVsK6Recorded).toBeNull();
  });
});
