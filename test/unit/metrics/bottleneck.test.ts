import { describe, expect, it } from 'vitest';
import { type BottleneckEvidence, GROWTH_MIN_RISE_MS, judgeBottleneck, latencyGrowth, latencyRiseMs } from '../../../src/metrics/bottleneck.ts';
import type { SeriesPoint } from '../../../src/report/schema.ts';

const healthy: BottleneckEvidence = {
  loopP99Ms: 4,
  harnessCpuCores: 0.31,
  startedFlows: 6000,
  lateFlows: 3,
  droppedFlows: 0,
  queuedShare: 0.02,
  latencyGrowth: 1.1,
  targetCpuCores: null,
  verifierPoolWaits: 0,
};

describe('judgeBottleneck', () => {
  it('blames the target when latency grows while the harness is healthy, with a remote (unknown-CPU) issuer', () => {
    const j = judgeBottleneck({ ...healthy, latencyGrowth: 6.4 });
    expect(j.verdict).toBe('target');
    expect(j.harnessSide).toBe(false);
    expect(j.summary).toMatch(/^the target was the bottleneck: p99 grew 6\.4× over the run while the harness was healthy \(event-loop p99 4 ms, harness 0\.31 cores, 2% /);
  });

  it('does not call a rise of a few ms growth, whatever the ratio (2 ms → 5 ms is noise), and names the rise when it does', () => {
    expect(judgeBottleneck({ ...healthy, latencyGrowth: 2.5, latencyRiseMs: 3 }).verdict).toBe('none');
    expect(judgeBottleneck({ ...healthy, latencyGrowth: 2.5, latencyRiseMs: GROWTH_MIN_RISE_MS - 0.1 }).verdict).toBe('none');
    const j = judgeBottleneck({ ...healthy, latencyGrowth: 2.5, latencyRiseMs: 45 });
    expect(j.verdict).toBe('target');
    expect(j.summary).toMatch(/^the target was the bottleneck: p99 grew 2\.5× \(\+45 ms\) over the run while/);
  });

  it('never blames the harness for an unknown target CPU alone', () => {
    const j = judgeBottleneck(healthy);
    expect(j.verdict).toBe('none');
    expect(j.harnessSide).toBe(false);
    expect(j.reasons).toEqual([]);
  });

  it('blames the target for drops and a saturated embedded IdP', () => {
    expect(judgeBottleneck({ ...healthy, droppedFlows: 12 }).verdict).toBe('target');
    const j = judgeBottleneck({ ...healthy, targetCpuCores: 0.97 });
    expect(j.verdict).toBe('target');
    expect(j.summary).toContain('the IdP used 0.97 cores');
  });

  it('blames the harness on its own evidence: loop delay, CPU, late starts', () => {
    expect(judgeBottleneck({ ...healthy, loopP99Ms: 80, latencyGrowth: 9 }).verdict).toBe('harness');
    expect(judgeBottleneck({ ...healthy, harnessCpuCores: 0.95 }).summary).toBe('the harness may have been the bottleneck: harness used 0.95 cores (> 0.9)');
    const late = judgeBottleneck({ ...healthy, lateFlows: 600 });
    expect(late.verdict).toBe('harness');
    expect(late.harnessSide).toBe(true);
    expect(late.reasons).toEqual(['600 of 6000 flows started > 10 ms late']);
  });

  it("says the harness's connection pool was the bottleneck when queueing dominates", () => {
    const j = judgeBottleneck({ ...healthy, queuedShare: 0.72, latencyGrowth: 5 });
    expect(j.verdict).toBe('pool');
    expect(j.harnessSide).toBe(true);
    expect(j.summary).toMatch(/^the harness's connection pool was the bottleneck: requests spent 72% of their service time waiting for a free connection/);
  });

  it('keeps verifier-pool waits as a note, never a verdict', () => {
    const j = judgeBottleneck({ ...healthy, verifierPoolWaits: 5 });
    expect(j.verdict).toBe('none');
    expect(j.reasons).toEqual(['verifier pool ran dry 5 times (inline fallback)']);
  });
});

describe('latencyGrowth', () => {
  const point = (t: number, p99: number, count = 100): SeriesPoint => ({
    t,
    phase: 'baseline',
    started: count,
    completed: count,
    failed: 0,
    dropped: 0,
    inFlight: 1,
    endpoints: { flow: { count, errors: 0, p50: p99 / 2, p95: p99, p99 } },
    failures: {},
  });

  it('is the late seconds\' median p99 over the early seconds\'', () => {
    // p99 rising from ~10 to ~40 ms: sustained growth.
    expect(latencyGrowth([point(0, 10), point(1, 12), point(2, 20), point(3, 38), point(4, 40), point(5, 42)], 'flow')).toBeCloseTo(42 / 12, 6);
    expect(latencyRiseMs([point(0, 10), point(1, 12), point(2, 20), point(3, 38), point(4, 40), point(5, 42)], 'flow')).toBe(30);
  });

  it('is not fooled by one slow second (a cold start or a GC pause)', () => {
    const g = latencyGrowth([point(0, 40), point(1, 10), point(2, 12), point(3, 11), point(4, 10), point(5, 11)], 'flow')!;
    expect(g).toBeLessThan(2);
  });

  it('ignores sparse seconds and is null when too short to tell', () => {
    expect(latencyGrowth([point(0, 500, 2), point(1, 10), point(2, 10)], 'flow')).toBeNull();
    expect(latencyGrowth([point(0, 500, 2), point(1, 10), point(2, 10), point(3, 20)], 'flow')).toBe(2);
    expect(latencyGrowth([point(0, 10), point(1, 10), point(2, 10)], 'flow')).toBe(1);
  });
});
