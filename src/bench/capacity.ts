/**
 * Capacity benchmark: does the search find the knee a person would? Against one embedded IdP,
 * closed-model saturation runs (48 and 128 VUs by default; the best counts) measure the most flows/s
 * the IdP completes (the reference: with enough VUs the IdP is never idle), then three searches (token p95 < 200 ms, errors < 1%) each give
 * a knee. Goals (issue 14): the knee within ±15% of the saturation throughput, and the three knees
 * within ±10% of their median. Both run direct (no fault proxy) so they measure the same path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { runPlan } from '../run.ts';
import { validateScenario } from '../scenario/validate.ts';

/** Result of {@link benchCapacity}. */
export interface CapacityBenchResult {
  /** Closed-model saturation: the most completed flows/s of the runs at each VU count, over `seconds` each. */
  closedFlowsPerSec: number;
  /** Completed flows/s per VU count tried. */
  closedByVus: Array<{ vus: number; flowsPerSec: number; idpCores: number | null }>;
  seconds: number;
  /** The knee of each search (null when a search gave none) and its answer in words. */
  knees: Array<number | null>;
  answers: string[];
  /** Median knee / closed-model throughput (goal 0.85–1.15). */
  kneeVsClosed: number | null;
  kneeWithin15Pct: boolean;
  /** Largest distance of a knee from the median knee, percent (goal ≤ 10). */
  spreadPct: number | null;
  searchesAgreeWithin10Pct: boolean;
  /** Steps per search and wall time of each, s. */
  steps: number[];
  searchSeconds: number[];
  /** Harness CPU cores during the best saturation run: near 1 means the harness, not the IdP, saturated. */
  closedHarnessCores: number;
  closedIdpCores: number | null;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs the capacity benchmark (about 3 searches of 1–2 min each plus a saturation run).
 *
 * @example
 * const r = await benchCapacity({}); r.kneeVsClosed; r.spreadPct;
 */
export async function benchCapacity(opts: { vus?: number[]; seconds?: number; stepSeconds?: number; searches?: number } = {}): Promise<CapacityBenchResult> {
  // Saturation is the most the IdP completes: on a busy machine 48 VUs can be too few to keep it busy.
  const vusList = opts.vus ?? [48, 128];
  const seconds = opts.seconds ?? 10;
  const stepSeconds = opts.stepSeconds ?? 6;
  const searches = opts.searches ?? 3;
  const out = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-capacity-'));
  const idp = await startEmbeddedIdp();
  try {
    const run = { embeddedIdp: idp, direct: true, outDir: out };
    // Warm the IdP and the harness (JIT, connection pools) before anything is measured.
    await runPlan(validateScenario({ name: 'bench-warmup', load: { ratePerSec: 50, duration: '3s' } }, null), run);
    const closedRuns = [];
    for (const vus of vusList) {
      const report = (await runPlan(validateScenario({ name: 'bench-capacity-closed', load: { model: 'closed', vus, duration: seconds * 1000 } }, null), run)).report;
      closedRuns.push({ vus, report, flowsPerSec: report.flows.completed / (report.durationMs / 1000) });
    }
    const best = closedRuns.reduce((a, b) => (b.flowsPerSec > a.flowsPerSec ? b : a));
    const closed = best.report;
    const closedFlowsPerSec = best.flowsPerSec;
    const plan = validateScenario(
      {
        name: 'bench-capacity-search',
        load: {
          search: { startRatePerSec: 50, growth: 1.5, stepDuration: stepSeconds * 1000, settle: '2s', minSamples: 200, resolutionPct: 5, maxRatePerSec: 5000 },
          maxInFlight: 1024,
        },
        slo: { p95Ms: 200, errorRate: 0.01, endpoint: 'token' },
      },
      null,
    );
    const knees: Array<number | null> = [];
    const answers: string[] = [];
    const steps: number[] = [];
    const searchSeconds: number[] = [];
    for (let i = 0; i < searches; i++) {
      const t0 = performance.now();
      const k = (await runPlan(plan, run)).report.knee;
      searchSeconds.push(round((performance.now() - t0) / 1000, 1));
      knees.push(k?.sustainedRatePerSec ?? null);
      answers.push(k?.answer ?? k?.reason ?? 'no knee');
      steps.push(k?.steps?.length ?? 0);
    }
    const found = knees.filter((k): k is number => k !== null);
    const mid = found.length > 0 ? median(found) : null;
    const kneeVsClosed = mid === null || closedFlowsPerSec <= 0 ? null : round(mid / closedFlowsPerSec);
    const spreadPct = mid === null || found.length < knees.length ? null : round((Math.max(...found.map((k) => Math.abs(k - mid))) / mid) * 100, 1);
    return {
      closedFlowsPerSec: round(closedFlowsPerSec, 1),
      closedByVus: closedRuns.map((c) => ({ vus: c.vus, flowsPerSec: round(c.flowsPerSec, 1), idpCores: c.report.harness.idpCpuCores })),
      seconds,
      knees,
      answers,
      kneeVsClosed,
      kneeWithin15Pct: kneeVsClosed !== null && Math.abs(kneeVsClosed - 1) <= 0.15,
      spreadPct,
      searchesAgreeWithin10Pct: spreadPct !== null && spreadPct <= 10,
      steps,
      searchSeconds,
      closedHarnessCores: closed.harness.cpuCores,
      closedIdpCores: closed.harness.idpCpuCores,
    };
  } finally {
    await idp.stop();
    await rm(out, { recursive: true, force: true });
  }
}
