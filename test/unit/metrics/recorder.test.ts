import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../../src/metrics/hdr.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';

describe('Recorder', () => {
  it('keeps per-phase histograms and merges them for the run', () => {
    let now = 0;
    const rec = new Recorder({ now: () => now });
    for (let i = 0; i < 100; i++) rec.exchange('token', 10_000, 10_000, true); // 10 ms
    now = 1500;
    rec.beginPhase('token latency 300ms', ['token latency 300ms']);
    for (let i = 0; i < 100; i++) rec.exchange('token', 310_000, 310_000, i < 90); // 310 ms
    now = 2500;
    const r = rec.finish();
    expect(r.phases.map((p) => p.name)).toEqual(['baseline', 'token latency 300ms']);
    expect(r.phases[0]!.endpoints.token!.latencyMs.p95).toBeCloseTo(10, 1);
    expect(r.phases[1]!.endpoints.token!.latencyMs.p50).toBeCloseTo(310, 0);
    expect(r.phases[1]!.endpoints.token!.errors).toBe(10);
    expect(r.endpoints.token!.count).toBe(200);
    expect(r.endpoints.token!.errors).toBe(10);
    const merged = decodeHistogram(r.endpoints.token!.hdr);
    expect(merged.totalCount).toBe(200);
    expect(merged.getValueAtPercentile(25) / 1000).toBeCloseTo(10, 1);
  });

  it('separates latency from the intended start and service time', () => {
    const rec = new Recorder({ now: () => 0 });
    rec.flowStarted(0);
    rec.flowEnded(true, 800_000, 20_000);
    const r = rec.finish();
    expect(r.endpoints.flow!.latencyMs.p50).toBeCloseTo(800, 0);
    expect(r.endpoints.flow!.serviceMs.p50).toBeCloseTo(20, 1);
    expect(r.flows).toMatchObject({ started: 1, completed: 1, failed: 0 });
  });

  it('writes one series point per second, idle seconds included', () => {
    let now = 0;
    const rec = new Recorder({ now: () => now, inFlight: () => 7 });
    rec.flowStarted();
    rec.flowEnded(true, 5000, 5000);
    now = 3200;
    rec.tick();
    rec.flowStarted();
    rec.flowEnded(false, 9000, 9000);
    rec.failure({ failureClass: 'pkce_mismatch', endpoint: 'token', status: 400, error: 'invalid_grant' });
    const r = rec.finish();
    expect(r.series.map((p) => p.t)).toEqual([0, 1, 2, 3]);
    expect(r.series[0]).toMatchObject({ started: 1, completed: 1, failed: 0, inFlight: 7 });
    expect(r.series[1]).toMatchObject({ started: 0, completed: 0 });
    expect(r.series[3]).toMatchObject({ failed: 1, failures: { pkce_mismatch: 1 } });
    expect(r.failures).toEqual({ pkce_mismatch: 1 });
  });

  it('keeps a bounded amount of evidence and cuts descriptions at 200 chars', () => {
    const rec = new Recorder({ now: () => 0, evidencePerClass: 2 });
    for (let i = 0; i < 50; i++) rec.failure({ failureClass: 'other', endpoint: 'token', description: 'word '.repeat(100) });
    const r = rec.finish();
    expect(r.failures.other).toBe(50);
    expect(r.failureEvidence).toHaveLength(2);
    expect(r.failureEvidence[0]!.description).toHaveLength(200);
  });

  it('redacts token-like runs in evidence (text from outside the harness)', () => {
    const rec = new Recorder({ now: () => 0 });
    const code = 'Zx9'.repeat(15);
    rec.failure({ failureClass: 'bad_response', endpoint: 'callback', description: `error page echoed ${code} back` });
    expect(rec.finish().failureEvidence[0]!.description).toBe("error page echoed [redacted] back");
  });

  it('counts late starts over 10 ms and dropped flows', () => {
    const rec = new Recorder({ now: () => 0 });
    rec.flowStarted(5);
    rec.flowStarted(11);
    rec.flowDropped();
    expect(rec.finish().flows).toEqual({ started: 2, completed: 0, failed: 0, dropped: 1, late: 1 });
  });
});

describe('Recorder timing split and summaries', () => {
  it('keeps queued / connect / wait per endpoint, connect only for new connections', () => {
    const rec = new Recorder({ now: () => 0 });
    rec.timing('token', { queuedUs: 0, connectUs: 900, newConnection: true, waitUs: 4_000, receiveUs: 100 });
    for (let i = 0; i < 9; i++) rec.timing('token', { queuedUs: 20_000, connectUs: 0, newConnection: false, waitUs: 4_000, receiveUs: 100 });
    rec.timing('discovery', { queuedUs: 1, connectUs: 0, newConnection: false, waitUs: 1, receiveUs: 1 });
    for (let i = 0; i < 10; i++) rec.exchange('token', 24_100, 24_100, true);
    expect(rec.queuedShare).toBeGreaterThan(0.7);
    const r = rec.finish();
    const t = r.endpoints.token!;
    expect(t.connectMs!.count).toBe(1);
    expect(t.connectMs!.max).toBeCloseTo(0.9, 1);
    expect(t.queuedMs!.p99).toBeCloseTo(20, 0);
    expect(t.waitMs!.p50).toBeCloseTo(4, 0);
    expect(decodeHistogram(t.queuedHdr!).totalCount).toBe(10);
    expect(r.phases[0]!.endpoints.token!.queuedMs).toBeDefined();
    expect(r.endpoints.flow).toBeUndefined();
  });

  it('never prints a percentile above the recorded max, and reports min', () => {
    const rec = new Recorder({ now: () => 0 });
    for (let i = 0; i < 100; i++) rec.exchange('token', 64_123 + i, 64_123 + i, true);
    const l = rec.finish().endpoints.token!.latencyMs;
    expect(l.max).toBe(64.222);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(l.p999).toBe(l.max);
    expect(l.min).toBe(64.123);
    expect(l.mean).toBeLessThanOrEqual(l.max);
  });
});

describe('Recorder warmup phase', () => {
  it('reports the warmup as its own phase and leaves it out of the totals', () => {
    let now = 0;
    const rec = new Recorder({ now: () => now, initialPhase: 'warmup', excludedPhases: ['warmup'] });
    for (let i = 0; i < 10; i++) {
      rec.flowStarted(50); // late, but in the warmup
      rec.exchange('token', 900_000, 900_000, false);
      rec.failure({ failureClass: 'server_error', endpoint: 'token', status: 500 });
    }
    // Started in the warmup, ended after it: the warmup's.
    rec.flowStarted(0);
    now = 5_000;
    rec.beginPhase('baseline', []);
    now = 5_100;
    rec.flowEnded(true, 1_000_000, 1_000_000);
    for (let i = 0; i < 20; i++) {
      rec.flowStarted(0);
      rec.exchange('token', 10_000, 10_000, true);
      rec.flowEnded(true, 20_000, 20_000);
    }
    const r = rec.finish();
    expect(r.phases.map((p) => p.name)).toEqual(['warmup', 'baseline']);
    expect(r.phases[0]!.flows).toEqual({ started: 11, completed: 1, failed: 0, dropped: 0 });
    expect(r.phases[0]!.endpoints.flow!.count).toBe(1);
    expect(r.flows).toEqual({ started: 20, completed: 20, failed: 0, dropped: 0, late: 0 });
    expect(r.endpoints.token!.count).toBe(20);
    expect(r.endpoints.token!.errors).toBe(0);
    expect(r.endpoints.flow!.count).toBe(20);
    expect(r.endpoints.flow!.latencyMs.max).toBe(20);
    expect(r.failures).toEqual({});
    expect(r.phases[0]!.failures).toEqual({ server_error: 10 });
  });
});
