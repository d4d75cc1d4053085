import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { formatDuration, parseDuration } from '../../../src/scenario/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1m30s', 90_000],
    [' 10s ', 10_000],
    ['0s', 0],
    [250, 250],
    [0, 0],
    [1.5, 1.5],
  ] as const)('%j → %d ms', (input, ms) => {
    expect(parseDuration(input, 'load.duration')).toBe(ms);
  });

  it.each([
    ['10', 'load.duration must be a duration like \'500ms\', \'10s\', \'2m\' or a number of ms (got "10")'],
    ['10x', 'load.duration must be a duration like \'500ms\', \'10s\', \'2m\' or a number of ms (got "10x")'],
    ['', 'load.duration must be a duration like \'500ms\', \'10s\', \'2m\' or a number of ms (got "")'],
    ['-1s', 'load.duration must be a duration like \'500ms\', \'10s\', \'2m\' or a number of ms (got "-1s")'],
    ['s', 'load.duration must be a duration like \'500ms\', \'10s\', \'2m\' or a number of ms (got "s")'],
    [-5, 'load.duration must be a non-negative number of ms (got -5)'],
    [Number.NaN, 'load.duration must be a non-negative number of ms (got NaN)'],
    [Number.POSITIVE_INFINITY, 'load.duration must be a non-negative number of ms (got Infinity)'],
  ] as const)('rejects %j naming path and value', (input, message) => {
    let caught: unknown;
    try {
      parseDuration(input, 'load.duration');
    } catch (err) {
      caught = err;
    }
    expect(isTokenstormError(caught, 'ERR_SCENARIO_INVALID')).toBe(true);
    expect((caught as Error).message).toBe(message);
  });

  it('rejects non-string, non-number values', () => {
    expect(() => parseDuration(true as unknown as string, 'faults[0].at')).toThrow(
      "faults[0].at must be a duration like '500ms', '10s', '2m' or a number of ms (got boolean)",
    );
  });

  it('round-trips through formatDuration (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms), 'x')).toBe(ms);
      }),
    );
  });

  it('adds unit parts together (property)', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        const text = `${h}h${m}m${s}s${ms}ms`;
        expect(parseDuration(text, 'x')).toBe(((h * 60 + m) * 60 + s) * 1000 + ms);
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [60_000, '60s'],
    [90_000, '90s'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
