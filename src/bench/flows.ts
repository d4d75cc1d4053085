/**
 * Flow benchmark: harness CPU per full PKCE flow against the embedded IdP, side by side with a
 * naive undici script driving the same IdP at the same rate, plus a saturation run (closed model)
 * showing how much CPU the harness needs to keep the IdP busy. CPU is this process's
 * (process.cpuUsage, all threads: the verifier pool included); the IdP runs in its own process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { ArrivalSchedule } from '../load/arrivals.ts';
import { systemClock } from '../load/clock.ts';
import { runOpen } from '../load/open-executor.ts';
import { runPlan } from '../run.ts';
import { validateScenario } from '../scenario/validate.ts';
import { type NaiveTarget, naiveFlow } from './naive-flow.ts';

/** Result of {@link benchFlows}; ratios are what to compare across machines. */
export interface FlowBenchResult {
  ratePerSec: number;
  seconds: number;
  harnessCpuMsPerFlow: number;
  naiveCpuMsPerFlow: number;
  /** harness / naive CPU per flow (goal ≤ 0.35: 0.35 ms vs ~1 ms on the reference machine). */
  harnessVsNaive: number;
  harnessFailed: number;
  naiveFailed: number;
  saturation: { flowsPerSec: number; harnessCores: number; idpCores: number; vus: number };
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** A naive undici driver at a fixed rate (warms an IdP without warming the harness's own flow code). */
export async function naiveRun(target: NaiveTarget, ratePerSec: number, seconds: number): Promise<{ cpuMsPerFlow: number; failed: number }> {
  const dispatcher = new Agent({ connections: 64 });
  const schedule = new ArrivalSchedule(ratePerSec, [{ durationMs: seconds * 1000, targetRatePerSec: ratePerSec }]);
  let ok = 0;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  await runOpen(
    { clock: systemClock, nextArrival: () => schedule.next(), maxInFlight: 512, durationMs: seconds * 1000 },
    {
      start: () =>
        naiveFlow(target, dispatcher).then(
          (r) => (r ? ok++ : failed++),
          () => failed++,
        ),
    },
  );
  const cpu = process.cpuUsage(cpu0);
  await dispatcher.close();
  return { cpuMsPerFlow: (cpu.user + cpu.system) / 1000 / Math.max(1, ok), failed };
}

/**
 * Runs the flow benchmark (about 3 × seconds + start-up).
 *
 * @example
 * const r = await benchFlows({ ratePerSec: 100, seconds: 6 }); r.harnessVsNaive;
 */
export async function benchFlows(opts: { ratePerSec?: number; seconds?: number; vus?: number } = {}): Promise<FlowBenchResult> {
  const ratePerSec = opts.ratePerSec ?? 100;
  const seconds = opts.seconds ?? 6;
  const vus = opts.vus ?? 48;
  const out = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-'));
  const idp = await startEmbeddedIdp();
  try {
    const target: NaiveTarget = {
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: idp.clientId,
      redirectUri: idp.redirectUri,
    };
    const plan = validateScenario({ name: 'bench-flows', load: { ratePerSec, duration: seconds * 1000, maxInFlight: 512 } }, null);
    // Warm both paths (JIT, connection pools, the IdP's caches) before measuring: with less than
    // a few seconds the JIT is still compiling during the measured run.
    await naiveRun(target, ratePerSec, 3);
    await runPlan({ ...plan, stages: [{ durationMs: 3000, targetRatePerSec: ratePerSec }], totalDurationMs: 3000 }, { embeddedIdp: idp, direct: true, outDir: out });

    const naive = await naiveRun(target, ratePerSec, seconds);
    const harness = await runPlan(plan, { embeddedIdp: idp, direct: true, outDir: out });
    const h = harness.report;

    const satPlan = validateScenario({ name: 'bench-saturation', load: { model: 'closed', vus, duration: seconds * 1000 } }, null);
    const t0 = performance.now();
    const sat = (await runPlan(satPlan, { embeddedIdp: idp, direct: true, outDir: out })).report;
    const wallSec = (performance.now() - t0) / 1000;
    const harnessCpuMsPerFlow = h.harness.cpuMsPerFlow ?? Number.NaN;
    return {
      ratePerSec,
      seconds,
      harnessCpuMsPerFlow: round(harnessCpuMsPerFlow),
      naiveCpuMsPerFlow: round(naive.cpuMsPerFlow),
      harnessVsNaive: round(harnessCpuMsPerFlow / naive.cpuMsPerFlow),
      harnessFailed: h.flows.failed,
      naiveFailed: naive.failed,
      saturation: {
        flowsPerSec: round(sat.flows.completed / Math.min(wallSec, sat.durationMs / 1000), 1),
        harnessCores: sat.harness.cpuCores,
        idpCores: sat.harness.idpCpuCores ?? Number.NaN,
        vus,
      },
    };
  } finally {
    await idp.stop();
    await rm(out, { recursive: true, force: true });
  }
}
