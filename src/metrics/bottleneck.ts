/**
 * Which side held the run back, decided from evidence on the harness's side only: the harness is
 * blamed when its own loop was late, its CPU was used up or its timer started flows late; its
 * connection pool is blamed when requests spent most of their service time waiting for a free
 * connection; the target is blamed when latency grew (or flows were dropped, or the embedded IdP's
 * CPU was used up) while the harness stayed healthy. A remote target's CPU is unknown (null): that
 * is never, by itself, a reason to blame the harness.
 */
import type { SeriesPoint } from '../report/schema.ts';

/** The self-check's answer: `harness` and `pool` are the harness's side. */
export type BottleneckVerdict = 'harness' | 'pool' | 'target' | 'none';

/** What the self-check looks at (all harness-side measurements except `targetCpuCores`). */
export interface BottleneckEvidence {
  /** Harness event-loop delay p99, ms (sampling interval already subtracted). */
  loopP99Ms: number;
  /** Harness CPU, cores (1.0 = one full core). */
  harnessCpuCores: number;
  startedFlows: number;
  /** Flows started more than 10 ms after their intended time (the harness's timer was late). */
  lateFlows: number;
  /** Flows not started for want of a free slot (the target held them). */
  droppedFlows: number;
  /** Share of HTTP service time spent queued for a free connection in the harness's pool (0..1). */
  queuedShare: number;
  /** Late third's median per-second p99 ÷ the early third's (see {@link latencyGrowth}); null with fewer than 3 seconds. */
  latencyGrowth: number | null;
  /**
   * The same two medians' difference, ms (see {@link latencyRiseMs}). A rise under
   * {@link GROWTH_MIN_RISE_MS} is not the target slowing down, however large the ratio: 2 ms
   * becoming 5 ms is scheduler noise on a shared machine. Absent or null: the ratio decides alone.
   */
  latencyRiseMs?: number | null;
  /** The embedded IdP's CPU, cores; null for a remote target (unknown, not zero). */
  targetCpuCores: number | null;
  /** Times the verifier pool ran dry (reported, never a bottleneck: the fallback is inline). */
  verifierPoolWaits: number;
}

/** The verdict with its reasons and one sentence for people. */
export interface BottleneckJudgement {
  verdict: BottleneckVerdict;
  /** True when the harness side (its loop, CPU, timer or connection pool) was the bottleneck. */
  harnessSide: boolean;
  reasons: string[];
  /** e.g. "the target was the bottleneck: flow p99 grew 4.2× while the harness was healthy (…)". */
  summary: string;
}

// Above these the harness's own timing is suspect.
export const LOOP_P99_LIMIT_MS = 50;
export const CPU_LIMIT_CORES = 0.9;
const LATE_SHARE_LIMIT = 0.05;
// Above this share of service time spent waiting for a connection, the pool shaped the latencies.
const QUEUED_SHARE_LIMIT = 0.5;
const GROWTH_LIMIT = 2;
/** Smallest rise of the live endpoint's p99 (late third vs early third) that counts as latency growth, ms. */
export const GROWTH_MIN_RISE_MS = 20;
const TARGET_CPU_SATURATED_CORES = 0.9;

const r2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Decides the bottleneck from injected numbers (pure, so tests drive it directly).
 *
 * @example
 * judgeBottleneck({ loopP99Ms: 3, harnessCpuCores: 0.3, startedFlows: 1000, lateFlows: 0, droppedFlows: 0,
 *   queuedShare: 0.01, latencyGrowth: 5, targetCpuCores: null, verifierPoolWaits: 0 }).verdict; // 'target'
 */
export function judgeBottleneck(e: BottleneckEvidence): BottleneckJudgement {
  const harness: string[] = [];
  if (e.loopP99Ms > LOOP_P99_LIMIT_MS) harness.push(`event-loop delay p99 ${e.loopP99Ms} ms > ${LOOP_P99_LIMIT_MS} ms`);
  if (e.harnessCpuCores > CPU_LIMIT_CORES) harness.push(`harness used ${e.harnessCpuCores} cores (> ${CPU_LIMIT_CORES})`);
  if (e.startedFlows > 0 && e.lateFlows / e.startedFlows > LATE_SHARE_LIMIT) {
    harness.push(`${e.lateFlows} of ${e.startedFlows} flows started > 10 ms late`);
  }
  const notes: string[] = [];
  if (e.verifierPoolWaits > 0) notes.push(`verifier pool ran dry ${e.verifierPoolWaits} times (inline fallback)`);
  const healthy = `event-loop p99 ${e.loopP99Ms} ms, harness ${e.harnessCpuCores} cores, ${Math.round(e.queuedShare * 100)}% of service time queued in the pool`;

  if (harness.length > 0) {
    return { verdict: 'harness', harnessSide: true, reasons: [...harness, ...notes], summary: `the harness may have been the bottleneck: ${harness.join('; ')}` };
  }
  if (e.queuedShare > QUEUED_SHARE_LIMIT) {
    const why = `requests spent ${Math.round(e.queuedShare * 100)}% of their service time waiting for a free connection (raise load.connections)`;
    return { verdict: 'pool', harnessSide: true, reasons: [why, ...notes], summary: `the harness's connection pool was the bottleneck: ${why}` };
  }
  const target: string[] = [];
  const rise = e.latencyRiseMs ?? null;
  if (e.latencyGrowth !== null && e.latencyGrowth >= GROWTH_LIMIT && (rise === null || rise >= GROWTH_MIN_RISE_MS)) {
    target.push(`p99 grew ${r2(e.latencyGrowth)}×${rise === null ? '' : ` (+${r2(rise)} ms)`} over the run`);
  }
  if (e.droppedFlows > 0) target.push(`${e.droppedFlows} flows dropped for want of a free slot`);
  if (e.targetCpuCores !== null && e.targetCpuCores >= TARGET_CPU_SATURATED_CORES) target.push(`the IdP used ${e.targetCpuCores} cores`);
  if (target.length > 0) {
    const why = `${target.join(', ')} while the harness was healthy (${healthy})`;
    return { verdict: 'target', harnessSide: false, reasons: [why, ...notes], summary: `the target was the bottleneck: ${why}` };
  }
  return { verdict: 'none', harnessSide: false, reasons: notes, summary: `no bottleneck seen (${healthy})` };
}

/**
 * Latency growth over a run from its per-second series: the median p99 of `endpoint` over the last
 * third of the seconds, divided by the median over the first third. A sustained rise, not one slow
 * second: a cold start or a GC pause in one second is not the target slowing down (seconds with
 * fewer than 5 samples are ignored as noise). Null with fewer than 3 usable seconds.
 *
 * @example
 * latencyGrowth(report.series, 'flow'); // 3.1 when the late seconds' p99 was 3.1× the early ones'
 */
export function latencyGrowth(series: readonly SeriesPoint[], endpoint: keyof SeriesPoint['endpoints']): number | null {
  const t = thirds(series, endpoint);
  return t === null || t.early <= 0 ? null : t.late / t.early;
}

/**
 * The rise behind {@link latencyGrowth}, in ms: the late third's median per-second p99 minus the
 * early third's. Null with fewer than 3 usable seconds.
 *
 * @example
 * latencyRiseMs(report.series, 'flow'); // 42 when the late seconds' p99 was 42 ms above the early ones'
 */
export function latencyRiseMs(series: readonly SeriesPoint[], endpoint: keyof SeriesPoint['endpoints']): number | null {
  const t = thirds(series, endpoint);
  return t === null ? null : t.late - t.early;
}

function thirds(series: readonly SeriesPoint[], endpoint: keyof SeriesPoint['endpoints']): { early: number; late: number } | null {
  const p99s = series
    .map((s) => s.endpoints[endpoint])
    .filter((x): x is NonNullable<typeof x> => x !== undefined && x.count >= 5)
    .map((x) => x.p99);
  if (p99s.length < 3) return null;
  const third = Math.max(1, Math.floor(p99s.length / 3));
  const median = (xs: number[]): number => {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.floor(s.length / 2)]!;
  };
  return { early: median(p99s.slice(0, third)), late: median(p99s.slice(-third)) };
}
