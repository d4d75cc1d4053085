/**
 * Durations as scenario files write them ('500ms', '10s', '2m', '1h', '1m30s', or a number of ms)
 * and back. The plan holds milliseconds only, so everything downstream is unit-free arithmetic.
 */
import { TokenstormError } from '../errors.ts';
import type { Duration } from './types.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
// One or more <number><unit> parts, Go/k6 style ('1m30s'); a bare number string is rejected because
// '500' in a YAML file is far more likely a forgotten unit than deliberate milliseconds.
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;

/** The problem with `v` as a duration at `path`, or null when it is fine. Used to collect problems. */
export function durationProblem(v: unknown, path: string): string | null {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return `${path} must be a non-negative number of ms (got ${v})`;
    return null;
  }
  if (typeof v !== 'string') return `${path} must be a duration like '500ms', '10s', '2m' or a number of ms (got ${typeName(v)})`;
  return parseParts(v) === null
    ? `${path} must be a duration like '500ms', '10s', '2m' or a number of ms (got ${JSON.stringify(v)})`
    : null;
}

/**
 * Milliseconds in a scenario duration. Throws `ERR_SCENARIO_INVALID` naming `path` and the value.
 *
 * @example
 * parseDuration('1.5s', 'load.duration'); // 1500
 * parseDuration(250, 'faults[0].for');    // 250
 */
export function parseDuration(v: Duration, path: string): number {
  const problem = durationProblem(v, path);
  if (problem !== null) throw new TokenstormError('ERR_SCENARIO_INVALID', problem);
  return typeof v === 'number' ? v : (parseParts(v) as number);
}

function parseParts(s: string): number | null {
  const text = s.trim();
  if (text === '') return null;
  PART.lastIndex = 0;
  let totalMs = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (m === null) return null;
    totalMs += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  // Float noise from '0.1s'-style parts: milliseconds with more than µs precision mean nothing here.
  return Math.round(totalMs * 1000) / 1000;
}

/**
 * A duration in words for messages and the dry-run: '500ms' below a second, otherwise seconds
 * ('90s', '1.5s'). Seconds, not minutes, so `at (90s)` lines up with what the user compares against.
 *
 * @example
 * formatDuration(90_000); // '90s'
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trim(ms)}ms`;
  return `${trim(ms / 1000)}s`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** `typeof` in words, telling arrays and null apart (for "must be X (got Y)" messages). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
