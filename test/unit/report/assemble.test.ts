/**
 * Report assembly is pure: plan + what was measured → report and verdict, without sockets.
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { type AssemblyInput, assembleReport, thresholdsFor } from '../../../src/report/assemble.ts';
import type { HarnessReport } from '../../../src/report/schema.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const harness = (): HarnessReport => ({
  eventLoopDelayMs: { p50: 1, p99: 2, max: 3 },
  cpuCores: 0.1,
  cpuMsPerFlow: 1,
  idpCpuCores: null,
  bottleneck: false,
  reasons: [],
  verifierPool: { workers: 1, taken: 0, waits: 0 },
  node: 'v24',
});

/** A recorder result with `ok` completed and `bad` failed flows over one second. */
function measured(ok: number, bad: number) {
  let nowMs = 0;
  const rec = new Recorder({ now: () => nowMs });
  for (let i = 0; i < ok + bad; i++) {
    rec.flowStarted(0);
    rec.exchange('token', 5000, 5000, i < ok);
    if (i >= ok) rec.failure({ failureClass: 'connection_refused', endpoint: 'token', socketCode: 'ECONNREFUSED' });
    rec.flowEnded(i < ok, 9000, 9000);
  }
  nowMs = 1500;
  rec.tick();
  return rec.finish();
}

function input(scenario: Record<string, unknown>, ok: number, bad: number, extra: Partial<AssemblyInput> = {}): AssemblyInput {
  return {
    plan: validateScenario({ name: 't', load: { ratePerSec: 10, duration: '1s' }, ...scenario }, null),
    runId: 'r1',
    startedAt: new Date(0),
    durationMs: 1000,
    partial: false,
    target: { kind: 'embedded', issuer: 'http://127.0.0.1:1', clientId: 'c', faults: 'embedded' },
    result: measured(ok, bad),
    harness: harness(),
    faultTimings: null,
    faultErrors: [],
    crash: null,
    extraThresholds: [],
    baseline: null,
    tolerancePct: 10,
    ...extra,
  };
}

describe('assembleReport', () => {
  it('gives a scenario without thresholds the default failed-flow threshold from its SLO', () => {
    const load = { ratePerSec: 1, duration: '1s' };
    expect(thresholdsFor(validateScenario({ load, slo: { errorRate: 0.05 } }, null), [])).toEqual(['flow:rate(failed)<0.05']);
    expect(thresholdsFor(validateScenario({ load }, null), [])).toEqual(['flow:rate(failed)<0.01']);
    expect(thresholdsFor(validateScenario({ load, thresholds: ['token:p(95)<100'] }, null), [])).toEqual(['token:p(95)<100']);
    expect(thresholdsFor(validateScenario({ load }, null), ['token:p(99)<9'])).toEqual(['token:p(99)<9']);
    const { report, failed } = assembleReport(input({}, 10, 0));
    expect(report.thresholds.map((t) => [t.expr, t.ok])).toEqual([['flow:rate(failed)<0.01', true]]);
    expect(failed).toBe(false);
    expect(assembleReport(input({}, 5, 5)).failed).toBe(true);
  });

  it('never passes a run in which nothing succeeded, thresholds or not', () => {
    const { report, failed } = assembleReport(input({ thresholds: ['token:p(95)<1000'] }, 0, 10));
    expect(failed).toBe(true);
    expect(report.checks).toContainEqual({ name: 'some flow succeeded', ok: false, detail: '0 of 10 flows completed' });
  });

  it('fails a game day whose fault was never applied, with the fault server\'s own words', () => {
    const scenario = { faults: [{ at: 0, for: '1s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 10 } } }] };
    const { report, failed } = assembleReport(
      input(scenario, 10, 0, {
        faultTimings: [{ appliedAtMs: null, removedAtMs: null }],
        faultErrors: [{ fault: 'token latency 10ms', action: 'apply', message: 'invalid toxic type: bogus' }],
      }),
    );
    expect(failed).toBe(true);
    expect(report.faults![0]).toMatchObject({ applied: false, error: 'invalid toxic type: bogus' });
    expect(report.checks!.find((c) => c.name.startsWith('fault'))).toMatchObject({ ok: false, detail: 'invalid toxic type: bogus' });
  });

  it('passes a game day whose fault was applied', () => {
    const scenario = { faults: [{ at: 0, for: '1s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 10 } } }] };
    const { report, failed } = assembleReport(input(scenario, 10, 0, { faultTimings: [{ appliedAtMs: 3, removedAtMs: 1000 }] }));
    expect(report.faults![0]!.applied).toBe(true);
    expect(failed).toBe(false);
  });
});
