/**
 * Start-up tail benchmark: the flow p99 of the first seconds of a run against a freshly started
 * embedded IdP, against the steady state of the same run. `fresh` is the IdP as a run starts it
 * (self-primed: see DEFAULT_PRIME_FLOWS), and holds the goal. The other variants tell the two
 * sides apart with IdPs that were not primed: a cold harness against an IdP warmed by a naive
 * undici driver (the first run in this process), a warm harness against a fresh cold IdP
 * (`harnessWarm`), and both warm (the same IdP again). If the tail survives a warm harness but not
 * a warm IdP, the cold IdP is the cause; `idpColdExtraCpuMs` / `harnessColdExtraCpuMs` say how
 * much CPU being cold cost each side. Latency is from the intended start (as reported).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRIME_FLOWS, type EmbeddedIdp, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { createHistogram, recordUs } from '../metrics/hdr.ts';
import type { FlowRecord } from '../flow/pkce-flow.ts';
import { runPlan } from '../run.ts';
import { naiveRun } from './flows.ts';
import { DEFAULTS, validateScenario } from '../scenario/validate.ts';

/** One run of the start-up benchmark. */
export interface StartupVariant {
  /** Flow p99 (from the intended start) of flows intended in the first `headSeconds`, ms. */
  headP99Ms: number;
  /** Flow p99 of flows intended after `headSeconds` (the steady state), ms. */
  steadyP99Ms: number;
  /** headP99Ms / steadyP99Ms (goal ≤ 2 for `fresh`). */
  headVsSteady: number;
  /** Per-second flow p99 (by intended start), ms. */
  perSecondP99Ms: number[];
  /** Highest in-flight count seen at a second's close. */
  peakInFlight: number;
  /** Token-endpoint time to first byte p99 in the whole run (the IdP's own time), ms. */
  tokenWaitP99Ms: number | null;
  /** Connections the harness opened. */
  connections: number | null;
  failed: number;
  dropped: number;
  /**
   * CPU ms per flow started in each second, for the IdP process and for the harness process (all
   * threads). CPU per flow does not depend on how busy the machine is, so a cold side shows up
   * here as a higher cost in the first seconds even when the latencies are noise.
   */
  idpCpuMsPerFlow: number[];
  harnessCpuMsPerFlow: number[];
  /**
   * CPU each side spent beyond its steady cost per flow (the second half of the run) × flows: what
   * being cold (JIT, lazy set-up, first connections) cost that side in the run, ms. Independent of
   * when flows ended, so a backlog does not distort it.
   */
  idpColdExtraCpuMs: number;
  harnessColdExtraCpuMs: number;
}

/** Result of {@link benchStartup}. */
export interface StartupBenchResult {
  ratePerSec: number;
  seconds: number;
  headSeconds: number;
  /**
   * A fresh embedded IdP as a run starts it (self-primed with `primeFlows` plain flows before it is
   * ready) and a run as shipped (`harnessPrimeFlows` flows before the clock, load.primeFlows); the
   * harness is cold only with `warmIdpFirst: false` (then this is the process's first run). The
   * other variants prime neither side.
   */
  fresh: StartupVariant & { primeFlows: number; primeMs: number | null; harnessPrimeFlows: number };
  /** Warm harness, fresh IdP that was not primed (`primeFlows: 0`): the cold IdP that priming hides. */
  harnessWarm: StartupVariant;
  /** Warm harness, the IdP of `harnessWarm` again (warmed by that run). */
  bothWarm: StartupVariant;
  /** Cold harness (the first run in this process), an unprimed IdP warmed first by a naive undici driver (not the harness's code). */
  idpWarm?: StartupVariant;
  /**
   * Which side being cold costs more CPU: the unprimed fresh IdP's extra (`harnessWarm`) against
   * the cold harness's extra (`idpWarm`). CPU, unlike latency, does not depend on how busy
   * the machine is; whether that extra becomes a tail does (a 2-core machine shared with other
   * work cannot absorb it, a quiet one can).
   */
  cause?: 'idp' | 'harness';
  /** Goal: fresh.headVsSteady ≤ 2 (a fresh embedded IdP, as shipped, no warmup). */
  goalMet: boolean;
}

const naiveTarget = (idp: EmbeddedIdp) => ({ authorizationEndpoint: `${idp.issuer}/auth`, tokenEndpoint: `${idp.issuer}/token`, clientId: idp.clientId, redirectUri: idp.redirectUri });

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function once(idp: EmbeddedIdp, ratePerSec: number, seconds: number, headSeconds: number, out: string, harnessPrimeFlows = 0): Promise<StartupVariant> {
  const flows: FlowRecord[] = [];
  const plan = validateScenario({ name: 'bench-startup', load: { ratePerSec, duration: seconds * 1000, primeFlows: harnessPrimeFlows } }, null);
  // CPU of both sides sampled once a second from the first flow on (started flows counted from onFlow's intended times later).
  const idpCpu: number[] = [];
  const harnessCpu: number[] = [];
  const cpuNow = async (): Promise<void> => {
    const c = await idp.cpuUsage().catch(() => ({ userMicros: Number.NaN, systemMicros: 0 }));
    const h = process.cpuUsage();
    idpCpu.push(c.userMicros + c.systemMicros);
    harnessCpu.push(h.user + h.system);
  };
  let sampler: NodeJS.Timeout | null = null;
  const onFlow = (f: FlowRecord): void => {
    if (flows.length === 0) {
      void cpuNow();
      sampler = setInterval(() => void cpuNow(), 1000);
    }
    flows.push(f);
  };
  const { report } = await runPlan(plan, { embeddedIdp: idp, direct: true, outDir: out, onFlow });
  if (sampler) clearInterval(sampler);
  const t0 = Math.min(...flows.map((f) => f.intendedAt));
  const head = createHistogram(2);
  const steady = createHistogram(2);
  const perSecond = Array.from({ length: seconds }, () => createHistogram(2));
  for (const f of flows) {
    const atSec = (f.intendedAt - t0) / 1000;
    const us = (f.endedAt - f.intendedAt) * 1000;
    recordUs(atSec < headSeconds ? head : steady, us);
    const h = perSecond[Math.min(seconds - 1, Math.floor(atSec))];
    if (h) recordUs(h, us);
  }
  const p99 = (h: ReturnType<typeof createHistogram>): number => (h.totalCount === 0 ? 0 : Math.min(h.maxValue, h.getValueAtPercentile(99)) / 1000);
  // The first sample is taken when the first flow ends (≈ its start); each later one a second apart.
  // Flows that ended in each wall-clock second since the first one ended: the CPU spent in a
  // second went into the flows that ended in it (and their successors, which evens out).
  const t1 = Math.min(...flows.map((f) => f.endedAt));
  const endedIn = new Array<number>(seconds + 2).fill(0);
  for (const f of flows) {
    const i = Math.floor((f.endedAt - t1) / 1000);
    if (i < endedIn.length) endedIn[i]!++;
  }
  const perFlow = (cpu: number[]): number[] =>
    cpu.slice(1, seconds + 1).map((c, i) => {
      const n = endedIn[i] ?? 0;
      return n > 0 ? round((c - cpu[i]!) / 1000 / n, 2) : 0;
    });
  // Steady cost per flow over the second half; the cold extra is what the whole run cost beyond it.
  const half = Math.floor(Math.min(idpCpu.length, harnessCpu.length) / 2);
  const last = Math.min(idpCpu.length, harnessCpu.length) - 1;
  const endedFrom = (a: number, b: number): number => endedIn.slice(a, b).reduce((x, y) => x + y, 0);
  const coldExtra = (cpu: number[]): number => {
    const steadyFlows = endedFrom(half, last);
    if (last <= half || steadyFlows === 0) return Number.NaN;
    const perFlowUs = (cpu[last]! - cpu[half]!) / steadyFlows;
    const allFlows = endedFrom(0, last);
    return round(((cpu[last]! - cpu[0]!) - perFlowUs * allFlows) / 1000, 0);
  };
  const headP99Ms = p99(head);
  const steadyP99Ms = p99(steady);
  return {
    headP99Ms: round(headP99Ms),
    steadyP99Ms: round(steadyP99Ms),
    headVsSteady: round(steadyP99Ms > 0 ? headP99Ms / steadyP99Ms : Number.NaN, 2),
    perSecondP99Ms: perSecond.map((h) => round(p99(h))),
    peakInFlight: report.series.reduce((m, s) => Math.max(m, s.inFlight), 0),
    tokenWaitP99Ms: report.endpoints.token?.waitMs?.p99 ?? null,
    connections: report.harness.wire?.connections ?? null,
    failed: report.flows.failed,
    dropped: report.flows.dropped,
    idpCpuMsPerFlow: perFlow(idpCpu),
    harnessCpuMsPerFlow: perFlow(harnessCpu),
    idpColdExtraCpuMs: coldExtra(idpCpu),
    harnessColdExtraCpuMs: coldExtra(harnessCpu),
  };
}

/**
 * Runs the start-up benchmark (three or four runs of `seconds` each, two or three fresh IdPs).
 *
 * @example
 * const r = await benchStartup({ ratePerSec: 200, seconds: 10 }); r.fresh.headVsSteady;
 */
export async function benchStartup(
  opts: { ratePerSec?: number; seconds?: number; headSeconds?: number; warmIdpFirst?: boolean; primeFlows?: number; harnessPrimeFlows?: number } = {},
): Promise<StartupBenchResult> {
  const warmIdpFirst = opts.warmIdpFirst ?? true;
  const primeFlows = opts.primeFlows ?? DEFAULT_PRIME_FLOWS;
  const harnessPrimeFlows = opts.harnessPrimeFlows ?? DEFAULTS.primeFlows;
  const ratePerSec = opts.ratePerSec ?? 200;
  const seconds = opts.seconds ?? 10;
  const headSeconds = opts.headSeconds ?? 5;
  const out = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-'));
  try {
    let idpWarm: StartupVariant | undefined;
    if (warmIdpFirst) {
      // The harness's first run must stay its first: this variant goes before `fresh` and is then cold-harness, warm-IdP.
      const idp0 = await startEmbeddedIdp({ primeFlows: 0 });
      try {
        await naiveRun(naiveTarget(idp0), ratePerSec / 2, 5);
        idpWarm = await once(idp0, ratePerSec, seconds, headSeconds, out);
      } finally {
        await idp0.stop();
      }
    }
    const idp1 = await startEmbeddedIdp({ primeFlows });
    let fresh: StartupBenchResult['fresh'];
    try {
      fresh = { primeFlows, primeMs: idp1.primed?.elapsedMs ?? null, harnessPrimeFlows, ...(await once(idp1, ratePerSec, seconds, headSeconds, out, harnessPrimeFlows)) };
    } finally {
      await idp1.stop();
    }
    const idp2 = await startEmbeddedIdp({ primeFlows: 0 });
    try {
      const harnessWarm = await once(idp2, ratePerSec, seconds, headSeconds, out);
      const bothWarm = await once(idp2, ratePerSec, seconds, headSeconds, out);
      const cause = idpWarm ? (harnessWarm.idpColdExtraCpuMs >= idpWarm.harnessColdExtraCpuMs ? 'idp' : 'harness') : undefined;
      return { ratePerSec, seconds, headSeconds, fresh, harnessWarm, bothWarm, ...(idpWarm ? { idpWarm, cause } : {}), goalMet: fresh.headVsSteady <= 2 };
    } finally {
      await idp2.stop();
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
