import { describe, expect, it } from 'vitest';
import { mergeProgress } from '../../../src/run/threads.ts';

describe('mergeProgress (run --threads live samples)', () => {
  it('adds rates, in-flight counts and errors; takes the furthest elapsed time, the highest p95 and thread 0’s phase', () => {
    const merged = mergeProgress([
      { elapsedMs: 4000, ratePerSec: 100, inFlight: 7, p95Ms: 12.5, errors: 1, phase: 'steady' },
      { elapsedMs: 4250, ratePerSec: 98.5, inFlight: 3, p95Ms: 30, errors: 0, phase: 'warmup' },
    ]);
    expect(merged).toEqual({ elapsedMs: 4250, ratePerSec: 198.5, inFlight: 10, p95Ms: 30, errors: 1, phase: 'steady' });
  });

  it('is all zeros for no thread yet', () => {
    expect(mergeProgress([])).toEqual({ elapsedMs: 0, ratePerSec: 0, inFlight: 0, p95Ms: 0, errors: 0, phase: '' });
  });
});
