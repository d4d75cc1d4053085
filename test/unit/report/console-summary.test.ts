/**
 * The console summary's k6-like lines: rates per second of load (not wall time), requests and
 * bytes, min/mean/service/queued per endpoint, late starts, drop rate and peak concurrency, and
 * the self-check's verdict sentence.
 */
import { describe, expect, it } from 'vitest';
import { formatSummary, loadDurationMs } from '../../../src/report/console.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';

describe('formatSummary (k6-like lines)', () => {
  it('divides by the load duration, not the wall time with wind-down: 5/s × 5 s prints 5.0/s', () => {
    const r = buildSyntheticReport({ durationSec: 5, fault: null, ratePerSec: 5 });
    r.durationMs = 5_240; // the last flows finished 240 ms after the schedule ended
    r.flows = { ...r.flows, started: 25, completed: 25, failed: 0, dropped: 0, late: 0 };
    expect(loadDurationMs(r)).toBe(5_000);
    expect(formatSummary(r)).toMatch(/ 5\.0 completed\/s$/m);
  });

  it('uses the measured window when the run stopped before the schedule ended', () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    r.durationMs = 4_000;
    expect(loadDurationMs(r)).toBe(4_000);
  });

  it('prints requests, bytes, late starts, drop rate, peak in flight and the split columns', () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    r.flows = { ...r.flows, started: 90, dropped: 10, late: 4 };
    r.series[3]!.inFlight = 77;
    r.harness.wire = { sentBytes: 1_234_567, receivedBytes: 2_500, connections: 8 };
    const token = r.endpoints.token!;
    token.queuedMs = { min: 0, p50: 0.01, p90: 0.02, p95: 0.03, p99: 12.5, p999: 13, max: 14, mean: 0.2 };
    const requests = Object.entries(r.endpoints)
      .filter(([k]) => k !== 'flow')
      .reduce((n, [, e]) => n + (e?.count ?? 0), 0);
    const text = formatSummary(r);
    expect(text).toContain("schedule   late starts 4  drop rate 10.0%  peak in flight 77");
    expect(text).toContain(`http       ${requests} requests  ${(requests / 10).toFixed(1)}/s  sent 1.2 MB  received 2.5 kB  8 connections opened`);
    expect(text).toMatch(/^ {2}token( +[\d.]+){9} +12\.5$/m);
  });

  it('prints the self-check verdict sentence', () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    r.harness = { ...r.harness, bottleneck: false, verdict: 'target', summary: 'the target was the bottleneck: p99 grew 3× over the run while the harness was healthy', reasons: ['p99 grew 3× over the run while the harness was healthy'] };
    const text = formatSummary(r);
    expect(text).toContain('harness    the target was the bottleneck: p99 grew 3×');
    expect(text).not.toContain('WARNING');
    r.harness = { ...r.harness, bottleneck: true, verdict: 'pool', summary: "the harness's connection pool was the bottleneck: x", reasons: ['x'] };
    expect(formatSummary(r)).toContain("harness    WARNING: the harness's connection pool was the bottleneck: x");
  });
});
