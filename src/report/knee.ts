/**
 * The capacity knee: "how many flows/s does this IdP sustain with token p95 < 200 ms?" answered
 * with one number from the per-second series of a ramping run.
 */
import { judgeWindow } from '../metrics/slo-window.ts';
import type { EndpointClass, KneeReport, Report, SeriesPoint } from './schema.ts';

/** The SLO the knee is measured against (a scenario's `slo`). */
export interface KneeSlo {
  /** p95 limit in ms on `endpoint`; null/undefined = not checked. */
  p95Ms?: number | null;
  /** Failed-flow ratio limit 0..1; null/undefined = not checked. */
  errorRate?: number | null;
  endpoint: EndpointClass;
}

/** Options for {@link findKnee}. */
export interface KneeOptions {
  /** Window length in seconds. Default 5. */
  windowSec?: number;
  /**
   * What "rate" means. `offered` (default for the open model): (started + dropped)/s, the rate the
   * schedule asked of the target. `throughput` (default for the closed model, where the offered rate
   * is not set by the harness): (completed + failed)/s.
   */
  rate?: 'offered' | 'throughput';
}

/** One evaluated window (exported for tests and the HTML report). */
export interface KneeWindow {
  startSec: number;
  endSec: number;
  ratePerSec: number;
  /** Median of the per-second p95 values of the SLO endpoint; null when it had no samples. */
  p95Ms: number | null;
  /** failed / (completed + failed); null when no flow finished. */
  errorRate: number | null;
  ok: boolean;
  /** Why the window broke the SLO; null when ok. */
  breach: string | null;
}

const fmtRate = (r: number): string => `${r.toFixed(1)}/s`;

/**
 * Splits the series into windows and checks each against the SLO.
 *
 * A window covers seconds `[k·windowSec, (k+1)·windowSec)` and is evaluated only when it has at
 * least half its seconds recorded (so a short tail does not decide the knee) and a rate > 0.
 * - rate: the mean of the per-second rates (see {@link KneeOptions.rate}).
 * - p95: the **median** of the per-second p95 values of `slo.endpoint` over seconds with samples
 *   (the report keeps no per-window histograms; the median ignores a single-second spike, such as a
 *   GC pause, while 3 bad seconds out of 5 break the window).
 * - error rate: failed / (completed + failed) over the window (dropped flows are a harness-side
 *   outcome, flagged by the harness self-check, not counted here).
 * A window is ok when every limit that is set holds; a window with no samples of the endpoint
 * while p95Ms is set is broken (the endpoint stopped answering).
 */
export function kneeWindows(series: SeriesPoint[], slo: KneeSlo, opts: Required<KneeOptions>): KneeWindow[] {
  const windowSec = opts.windowSec;
  const groups = new Map<number, SeriesPoint[]>();
  for (const p of series) {
    const k = Math.floor(p.t / windowSec);
    const g = groups.get(k) ?? [];
    groups.set(k, g);
    g.push(p);
  }
  const out: KneeWindow[] = [];
  for (const [k, points] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    if (points.length < windowSec / 2) continue;
    const perSec = points.map((p) => (opts.rate === 'offered' ? p.started + p.dropped : p.completed + p.failed));
    const ratePerSec = perSec.reduce((a, b) => a + b, 0) / points.length;
    if (ratePerSec <= 0) continue;
    const j = judgeWindow(points, { p95Ms: slo.p95Ms ?? null, errorRate: slo.errorRate ?? null, endpoint: slo.endpoint }, { missing: 'breach', countDrops: false });
    out.push({
      startSec: k * windowSec,
      endSec: (k + 1) * windowSec,
      ratePerSec,
      p95Ms: j.p95Ms,
      errorRate: j.errorRate,
      ok: j.ok === true,
      breach: j.breach,
    });
  }
  return out;
}

/**
 * Finds the capacity knee of a (ramping) run.
 *
 * Definition: evaluate windows with {@link kneeWindows}, then order them by rate (ascending; ties
 * by time). The **break** is the first window in that order from which every window at the same or
 * a higher rate is broken — the SLO broke and did not recover at higher rates. Broken windows
 * below it are transient (counted in `reason`).
 * - `brokeAtRatePerSec`: the rate of that window; null when the highest-rate window is ok.
 * - `sustainedRatePerSec`: the highest rate of an ok window below the break (the window just
 *   before it); when nothing broke, the highest rate of any window; null when no window was ok
 *   below the break (the SLO never held).
 * The resolution is the rate change across one window (a 50→250/s ramp over 60 s in 5 s windows
 * moves ~17/s per window), so report `sustained` as "at least", `brokeAt` as "at most".
 *
 * @example
 * const knee = findKnee(report, { p95Ms: 200, errorRate: 0.01, endpoint: 'token' });
 * // { sustainedRatePerSec: 141.7, brokeAtRatePerSec: 158.3, reason: 'token p95 412.0 ms > 200 ms at 158.3/s (45–50 s)' }
 */
export function findKnee(report: Report, slo: KneeSlo, opts: KneeOptions = {}): KneeReport {
  if (slo.p95Ms == null && slo.errorRate == null) {
    return { sustainedRatePerSec: null, brokeAtRatePerSec: null, reason: 'no SLO limit (p95Ms or errorRate) given' };
  }
  const resolved: Required<KneeOptions> = {
    windowSec: opts.windowSec ?? 5,
    rate: opts.rate ?? (report.load.model === 'closed' ? 'throughput' : 'offered'),
  };
  const windows = kneeWindows(report.series, slo, resolved);
  if (windows.length === 0) {
    return { sustainedRatePerSec: null, brokeAtRatePerSec: null, reason: 'no complete window with load' };
  }
  const byRate = windows
    .map((w, i) => ({ w, i }))
    .sort((a, b) => a.w.ratePerSec - b.w.ratePerSec || a.i - b.i)
    .map((x) => x.w);
  let breakIdx = byRate.length;
  while (breakIdx > 0 && !byRate[breakIdx - 1]!.ok) breakIdx--;
  const transient = byRate.slice(0, breakIdx).filter((w) => !w.ok).length;
  const note = transient > 0 ? `; ${transient} transient breach${transient === 1 ? '' : 'es'} at lower rates` : '';
  if (breakIdx === byRate.length) {
    const top = byRate[byRate.length - 1]!.ratePerSec;
    return { sustainedRatePerSec: round1(top), brokeAtRatePerSec: null, reason: `SLO held up to ${fmtRate(top)}${note}` };
  }
  const broke = byRate[breakIdx]!;
  const where = `at ${fmtRate(broke.ratePerSec)} (${broke.startSec}–${broke.endSec} s)`;
  if (breakIdx === 0) {
    return {
      sustainedRatePerSec: null,
      brokeAtRatePerSec: round1(broke.ratePerSec),
      reason: `SLO never held: ${broke.breach} ${where}`,
    };
  }
  return {
    sustainedRatePerSec: round1(byRate[breakIdx - 1]!.ratePerSec),
    brokeAtRatePerSec: round1(broke.ratePerSec),
    reason: `${broke.breach} ${where}${note}`,
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
