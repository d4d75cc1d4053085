import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  harnessDelayMs,
  harnessProblem,
  judgeStep,
  MAX_SEARCH_STEPS,
  maxSearchDurationMs,
  nextSearchStep,
  type StepOutcome,
  stepDurationMsFor,
} from '../../../src/load/knee-search.ts';
import { runSearch, type StepRequest } from '../../../src/load/search-executor.ts';
import type { KneeStep, SeriesPoint } from '../../../src/report/schema.ts';
import type { SearchPlan } from '../../../src/scenario/types.ts';

const search: SearchPlan = { startRatePerSec: 50, growth: 1.5, stepDurationMs: 10_000, settleMs: 2000, minSamples: 100, resolutionPct: 5, maxRatePerSec: 2000 };
const SLO = { p95Ms: 200, errorRate: 0.01, endpoint: 'token' as const };

const ok = (ratePerSec: number): StepOutcome => ({ ratePerSec, verdict: 'ok', sloOk: true, breach: null, harness: null });
const bad = (ratePerSec: number, breach = 'token p95 400.0 ms > 200 ms', kind: StepOutcome['kind'] = 'bisect'): StepOutcome => ({ ratePerSec, verdict: 'breach', sloOk: false, breach, harness: null, kind });

/** A fake target whose SLO holds exactly up to `kneeRate`: every step's result without a clock or a socket. */
function fakeTarget(kneeRate: number, harnessLimitAbove = Number.POSITIVE_INFINITY) {
  const asked: StepRequest[] = [];
  const runStep = async (req: StepRequest): Promise<KneeStep> => {
    asked.push(req);
    const limited = req.ratePerSec > harnessLimitAbove;
    const sloOk = req.ratePerSec <= kneeRate;
    return {
      index: req.index,
      kind: req.kind,
      ratePerSec: req.ratePerSec,
      startMs: 0,
      endMs: 0,
      judgedFromMs: 0,
      judgedToMs: 0,
      p95Ms: sloOk ? 50 : 900,
      errorRate: 0,
      samples: 500,
      started: 500,
      dropped: 0,
      late: 0,
      verdict: sloOk ? 'ok' : limited ? 'harness-limited' : 'breach',
      sloOk,
      breach: sloOk ? null : 'token p95 900.0 ms > 200 ms',
      harness: limited ? 'flow starts p95 120 ms late (> 50 ms)' : null,
    };
  };
  return { asked, runStep };
}

describe('nextSearchStep: the schedule decided from the steps so far', () => {
  it('starts at the start rate, then grows geometrically from the last good rate', () => {
    expect(nextSearchStep(search, [])).toEqual({ next: 'step', ratePerSec: 50, kind: 'grow' });
    expect(nextSearchStep(search, [ok(50)])).toEqual({ next: 'step', ratePerSec: 75, kind: 'grow' });
    expect(nextSearchStep(search, [ok(50), ok(75)])).toEqual({ next: 'step', ratePerSec: 112.5, kind: 'grow' });
  });

  it('never steps above the max rate, and answers "at least max" when the SLO holds there', () => {
    const s = { ...search, maxRatePerSec: 100 };
    expect(nextSearchStep(s, [ok(50), ok(75)])).toEqual({ next: 'step', ratePerSec: 100, kind: 'grow' });
    const d = nextSearchStep(s, [ok(50), ok(75), ok(100)]);
    expect(d).toMatchObject({ next: 'done', conclusion: { outcome: 'max-rate', kneeRatePerSec: 100, brokeAtRatePerSec: null } });
  });

  it('runs a growing step that broke once more before it counts', () => {
    const broke = bad(168.8, 'token p95 400.0 ms > 200 ms', 'grow');
    expect(nextSearchStep(search, [ok(50), ok(75), ok(112.5), broke])).toEqual({ next: 'step', ratePerSec: 168.8, kind: 'confirm' });
    // The confirmation held: the break was noise, growth goes on from there.
    expect(nextSearchStep(search, [ok(50), ok(75), ok(112.5), broke, { ...ok(168.8), kind: 'confirm' }])).toEqual({ next: 'step', ratePerSec: 253.2, kind: 'grow' });
  });

  it('bisects (geometric mean) between the last good and the first bad rate', () => {
    const broke = bad(168.8, 'token p95 400.0 ms > 200 ms', 'grow');
    expect(nextSearchStep(search, [ok(50), ok(75), ok(112.5), broke, bad(168.8, 'again', 'confirm')])).toEqual({ next: 'step', ratePerSec: 137.8, kind: 'bisect' });
    // A bisection step that breaks moves the upper bound down; one that holds moves the lower bound up.
    expect(nextSearchStep(search, [ok(50), ok(75), ok(112.5), bad(168.8), bad(137.8)])).toMatchObject({ ratePerSec: 124.5, kind: 'bisect' });
    expect(nextSearchStep(search, [ok(50), ok(75), ok(112.5), bad(168.8), ok(137.8)])).toMatchObject({ ratePerSec: 152.5, kind: 'bisect' });
  });

  it('stops at the resolution with one number and the resolution reached', () => {
    const d = nextSearchStep(search, [ok(100), bad(150), ok(122.5), ok(135.5), bad(142.6), ok(139)]);
    expect(d).toMatchObject({ next: 'done', conclusion: { outcome: 'found', kneeRatePerSec: 139, brokeAtRatePerSec: 142.6, resolutionPct: 2.6 } });
    if (d.next === 'done') {
      expect(d.conclusion.answer).toBe('139/s ±2.6%');
      expect(d.conclusion.reason).toContain('broke at 142.6/s: token p95');
    }
  });

  it('says "below the start rate" when the first step already breaks', () => {
    expect(nextSearchStep(search, [bad(50, 'error rate 12.00% > 1.00%', 'grow')])).toEqual({ next: 'step', ratePerSec: 50, kind: 'confirm' });
    const d = nextSearchStep(search, [bad(50, 'error rate 12.00% > 1.00%', 'grow'), bad(50, 'error rate 12.00% > 1.00%', 'confirm')]);
    expect(d).toMatchObject({ next: 'done', conclusion: { outcome: 'below-start', kneeRatePerSec: null, brokeAtRatePerSec: 50, answer: 'below the start rate 50/s' } });
    if (d.next === 'done') expect(d.conclusion.reason).toContain('error rate 12.00% > 1.00%');
  });

  it('stops at a harness-limited step with "at least" the last good rate', () => {
    const limited: StepOutcome = { ratePerSec: 168.8, verdict: 'harness-limited', sloOk: false, breach: 'token p95 230 ms > 200 ms', harness: 'flow starts p95 120 ms late (> 50 ms)' };
    const d = nextSearchStep(search, [ok(50), ok(75), ok(112.5), limited]);
    expect(d).toMatchObject({ next: 'done', conclusion: { outcome: 'harness-limited', kneeRatePerSec: 112.5, answer: 'at least 112.5/s, harness-limited' } });
    if (d.next === 'done') expect(d.conclusion.reason).toContain('flow starts p95 120 ms late');
  });

  it('never asks for more than MAX_SEARCH_STEPS steps', () => {
    const s = { ...search, growth: 1.01, maxRatePerSec: 1e9 };
    const steps: StepOutcome[] = [];
    for (let r = 50; steps.length < MAX_SEARCH_STEPS; r *= 1.01) steps.push(ok(Math.round(r * 10) / 10));
    expect(nextSearchStep(s, steps)).toMatchObject({ next: 'done', conclusion: { outcome: 'step-limit' } });
  });
});

describe('runSearch against a fake target', () => {
  it('finds a knee bracketed within the resolution, growing then bisecting', async () => {
    const target = fakeTarget(237);
    const { steps, conclusion } = await runSearch(search, target.runStep);
    expect(target.asked.map((r) => r.ratePerSec)).toEqual([50, 75, 112.5, 168.8, 253.2, 253.2, 206.7, 228.8, 240.7, 234.7]);
    expect(target.asked.map((r) => r.kind).join(',')).toBe('grow,grow,grow,grow,grow,confirm,bisect,bisect,bisect,bisect');
    expect(steps.map((s) => s.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(conclusion).toMatchObject({ outcome: 'found', kneeRatePerSec: 234.7, brokeAtRatePerSec: 240.7 });
  });

  it('for any knee, start, growth and resolution: the answer brackets the true knee within the resolution', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 10, max: 100, noNaN: true }),
        fc.double({ min: 1.01, max: 50, noNaN: true }),
        fc.double({ min: 1.2, max: 3, noNaN: true }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        async (start, kneeFactor, growth, resolutionPct) => {
          const s = { ...search, startRatePerSec: start, growth, resolutionPct, maxRatePerSec: start * 1000 };
          const knee = start * kneeFactor;
          const { steps, conclusion } = await runSearch(s, fakeTarget(knee).runStep);
          expect(steps.length).toBeLessThanOrEqual(MAX_SEARCH_STEPS);
          expect(conclusion.outcome).toBe('found');
          expect(conclusion.kneeRatePerSec!).toBeLessThanOrEqual(knee);
          expect(conclusion.brokeAtRatePerSec!).toBeGreaterThan(knee);
          // Rates are kept to 0.1/s, so at low rates the last bisection may stop one rounding step short.
          expect(conclusion.brokeAtRatePerSec! - conclusion.kneeRatePerSec!).toBeLessThanOrEqual(Math.max(0.2, (conclusion.kneeRatePerSec! * resolutionPct) / 100 + 0.1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rides out one noisy step: a break that does not repeat does not end the growth', async () => {
    const target = fakeTarget(237);
    let noisy = true;
    const { conclusion } = await runSearch(search, async (req) => {
      const step = await target.runStep(req);
      if (req.ratePerSec === 75 && noisy) {
        noisy = false;
        return { ...step, verdict: 'breach', sloOk: false, p95Ms: 900, breach: 'token p95 900.0 ms > 200 ms' };
      }
      return step;
    });
    expect(target.asked.slice(0, 4).map((r) => `${r.kind} ${r.ratePerSec}`)).toEqual(['grow 50', 'grow 75', 'confirm 75', 'grow 112.5']);
    expect(conclusion).toMatchObject({ outcome: 'found', kneeRatePerSec: 234.7 });
  });

  it('stops early when the harness is the bottleneck', async () => {
    const { steps, conclusion } = await runSearch(search, fakeTarget(1000, 150).runStep);
    // The harness lags from 150/s on, but the SLO holds there: only the step that breaks while it lags stops the search.
    expect(steps.map((s) => s.verdict)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'harness-limited']);
    expect(conclusion).toMatchObject({ outcome: 'harness-limited', kneeRatePerSec: 854.6, answer: 'at least 854.6/s, harness-limited' });
  });

  it('ends as interrupted when a step is cut short or the signal aborts', async () => {
    const target = fakeTarget(237);
    const ac = new AbortController();
    const { steps, conclusion } = await runSearch(
      search,
      async (req) => {
        if (req.index === 3) ac.abort();
        return req.index === 3 ? null : target.runStep(req);
      },
      ac.signal,
    );
    expect(steps).toHaveLength(2);
    expect(conclusion).toMatchObject({ outcome: 'interrupted', kneeRatePerSec: 75, answer: 'at least 75/s (interrupted)' });
  });
});

describe('step timing', () => {
  it('lengthens a low-rate step so its judged window holds minSamples, in whole seconds', () => {
    expect(stepDurationMsFor(search, 500)).toBe(10_000);
    // 2 s settle + 125 samples at 5/s.
    expect(stepDurationMsFor(search, 5)).toBe(27_000);
    // 2 s settle + 101 × 1.25 / 12.5 = 10.1 s, rounded up to whole seconds.
    expect(stepDurationMsFor({ ...search, minSamples: 101 }, 12.5)).toBe(13_000);
  });

  it('bounds the whole search', () => {
    // ⌈log(2000/50)/log 1.5⌉+1 = 11 growth steps, 1 confirmation, ⌈log2(log 1.5/log 1.05)⌉+1 = 5 bisections, 10 s each.
    expect(maxSearchDurationMs(search)).toBe(170_000);
  });
});

function second(t: number, over: Partial<SeriesPoint> = {}, p95 = 40, count = 50): SeriesPoint {
  return { t, phase: 'x', started: count, completed: count, failed: 0, dropped: 0, inFlight: 3, endpoints: { token: { count, errors: 0, p50: p95 / 2, p95, p99: p95 * 1.5 } }, failures: {}, ...over };
}
const keptUp = { problem: null, delayMs: 1 };

describe('judgeStep', () => {
  it('holds when p95, errors and drops are within the SLO and there are enough samples', () => {
    const j = judgeStep([second(2), second(3), second(4)], SLO, 100, keptUp);
    expect(j).toEqual({ p95Ms: 40, errorRate: 0, samples: 150, sloOk: true, breach: null, verdict: 'ok' });
  });

  it('breaks on p95 (median of the seconds), on dropped arrivals, and on too few samples', () => {
    expect(judgeStep([second(2, {}, 250), second(3, {}, 300), second(4, {}, 20)], SLO, 100, keptUp)).toMatchObject({ p95Ms: 250, verdict: 'breach', breach: 'token p95 250.0 ms > 200 ms' });
    expect(judgeStep([second(2, { dropped: 5 }), second(3)], SLO, 100, keptUp)).toMatchObject({ verdict: 'breach', breach: 'dropped 4.76% of arrivals' });
    expect(judgeStep([second(2)], SLO, 100, keptUp)).toMatchObject({ verdict: 'breach', breach: 'only 50 token samples (< 100)' });
  });

  it('breaks when flows pile up: far fewer ended than started, though each request looks fast', () => {
    const window = [2, 3, 4, 5].map((t) => second(t, { started: 100, completed: 70 }, 40, 70));
    expect(judgeStep(window, SLO, 100, keptUp)).toMatchObject({ verdict: 'breach', breach: 'fell behind: 280 flows ended of 400 started' });
    // Within one second's worth of arrivals (the edges of the window) is keeping up.
    const edges = [2, 3, 4, 5].map((t) => second(t, { started: 100, completed: t === 5 ? 20 : 100 }, 40, 100));
    expect(judgeStep(edges, SLO, 100, keptUp).verdict).toBe('ok');
  });

  it('judges drops and failures at 1% when the SLO sets no error rate', () => {
    expect(judgeStep([second(2, { failed: 2, completed: 48 }), second(3)], { ...SLO, errorRate: null }, 100, keptUp)).toMatchObject({ verdict: 'breach', breach: 'error rate 2.00% > 1.00%' });
  });

  it('calls a p95 breach harness-limited only when the harness delay explains it', () => {
    const late = { problem: 'flow starts p95 80 ms late (> 50 ms)', delayMs: 80 };
    expect(judgeStep([second(2, {}, 260), second(3, {}, 260)], SLO, 100, late).verdict).toBe('harness-limited');
    // 900 ms is not 80 ms of harness delay: the target broke.
    expect(judgeStep([second(2, {}, 900), second(3, {}, 900)], SLO, 100, late).verdict).toBe('breach');
    // Failures are the target's.
    expect(judgeStep([second(2, { failed: 10, completed: 40 }, 260), second(3, {}, 260)], SLO, 100, late).verdict).toBe('breach');
    // Drops are the target's (or maxInFlight's), lagging harness or not.
    expect(judgeStep([second(2, { dropped: 20 }, 260), second(3, {}, 260)], SLO, 100, late).verdict).toBe('breach');
    // Too few finished samples while the harness lagged: it may not have started them on time.
    expect(judgeStep([second(2, {}, 40, 30)], SLO, 100, late)).toMatchObject({ verdict: 'harness-limited', breach: 'only 30 token samples (< 100)' });
    expect(judgeStep([second(2, {}, 40, 30)], SLO, 100, keptUp).verdict).toBe('breach');
    // A step that held is ok whatever the harness did.
    expect(judgeStep([second(2), second(3)], SLO, 100, late).verdict).toBe('ok');
  });
});

describe('harnessProblem', () => {
  it('flags late starts and loop delay beyond a quarter of the p95 budget, and a busy harness', () => {
    expect(harnessProblem({ lateP95Ms: 40, loopP99Ms: 45, cpuCores: 0.5 }, 200)).toBeNull();
    expect(harnessProblem({ lateP95Ms: 51, loopP99Ms: 45, cpuCores: 0.5 }, 200)).toBe('flow starts p95 51 ms late (> 50 ms)');
    expect(harnessProblem({ lateP95Ms: 5, loopP99Ms: 130, cpuCores: 0.95 }, 400)).toBe('event-loop delay p99 130 ms (> 100 ms); harness used 0.95 cores (> 0.9)');
    // Floors: a tight SLO does not turn timer granularity into a harness problem.
    expect(harnessProblem({ lateP95Ms: 9, loopP99Ms: 49, cpuCores: 0.1 }, 8)).toBeNull();
  });
});

describe('harnessDelayMs', () => {
  const h = { lateP95Ms: 40, loopP99Ms: 20, cpuCores: 0.4 };
  it('counts late starts only where latency runs from the intended start, and loop lag once per exchange', () => {
    expect(harnessDelayMs(h, { endpoint: 'flow', mode: 'flow', exchangesPerFlow: 6 })).toBe(160);
    // In flow mode the token endpoint is timed from its own send: one exchange, no start lateness.
    expect(harnessDelayMs(h, { endpoint: 'token', mode: 'flow', exchangesPerFlow: 6 })).toBe(20);
    // Token mode times the exchange from its intended start.
    expect(harnessDelayMs(h, { endpoint: 'token', mode: 'token', exchangesPerFlow: 9 })).toBe(60);
    expect(harnessDelayMs(h, { endpoint: 'flow', mode: 'token', exchangesPerFlow: 9 })).toBe(60);
  });
});
