import { describe, expect, it } from 'vitest';
import { createHistogram, recordUs, summarize } from '../../../src/metrics/hdr.ts';

describe('summarize', () => {
  it('never reports a percentile above the maximum recorded (HDR bucket upper bounds can exceed it)', () => {
    const h = createHistogram();
    // 2.490002 s: its HDR bucket's highest equivalent value is above it (3 significant digits).
    recordUs(h, 2_490_002);
    const s = summarize(h);
    expect(h.getValueAtPercentile(99)).toBeGreaterThan(h.maxValue);
    expect(s.max).toBe(2490.002);
    for (const p of [s.p50, s.p90, s.p95, s.p99, s.p999]) expect(p).toBeLessThanOrEqual(s.max);
  });
});
