/**
 * Small typed readers for validation. Each reads one key, pushes a problem naming the full path
 * when the value is wrong and returns undefined, so a validator collects every problem in one pass
 * instead of stopping at the first.
 */
import { durationProblem, formatDuration, parseDuration, typeName } from './duration.ts';
import { nearest } from '../suggest.ts';

/** A plain object read from a scenario. */
export type Obj = Record<string, unknown>;

/** Problems found so far; each is one line naming its full path. */
export type Problems = string[];

/** `base.key` (or `key` at the top level). */
export function at(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/**
 * `v` as an object whose keys are all in `known`; every unknown key becomes a problem with the
 * nearest known key suggested. Returns null (and a problem) when `v` is not an object.
 */
export function objectAt(v: unknown, path: string, known: readonly string[], p: Problems): Obj | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    p.push(`${path === '' ? 'the scenario' : path} must be an object (got ${typeName(v)})`);
    return null;
  }
  const o = v as Obj;
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const guess = nearest(key, known);
    const help = guess ? `did you mean ${at(path, guess)}?` : `known keys: ${known.join(', ')}`;
    p.push(`${at(path, key)} is not a known key (${help})`);
  }
  return o;
}

/** Constraints on a number. */
export interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
}

/** The rule in words: 'an integer >= 1', '> 0', 'between 0 and 1'; `typed` always names the type. */
function describeRule(r: NumberRule, typed: boolean): string {
  const type = r.integer ? 'an integer' : typed ? 'a number' : '';
  let bound = '';
  if (r.min !== undefined && r.max !== undefined) bound = `between ${r.min} and ${r.max}`;
  else if (r.min !== undefined) bound = `>= ${r.min}`;
  else if (r.above !== undefined && r.max !== undefined) bound = `> ${r.above} and at most ${r.max}`;
  else if (r.above !== undefined) bound = `> ${r.above}`;
  else if (r.max !== undefined) bound = `at most ${r.max}`;
  return [type, bound].filter((s) => s !== '').join(' ') || 'a number';
}

/** A number that meets `rule`, undefined when absent or wrong (with a problem). */
export function num(o: Obj, key: string, path: string, rule: NumberRule, p: Problems): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const full = at(path, key);
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    p.push(`${full} must be ${describeRule(rule, true)} (got ${typeof v === 'number' ? v : typeName(v)})`);
    return undefined;
  }
  const bad =
    (rule.integer === true && !Number.isInteger(v)) ||
    (rule.min !== undefined && v < rule.min) ||
    (rule.above !== undefined && v <= rule.above) ||
    (rule.max !== undefined && v > rule.max);
  if (bad) {
    p.push(`${full} must be ${describeRule(rule, false)} (got ${v})`);
    return undefined;
  }
  return v;
}

/** A string, non-empty unless `allowEmpty`; the value is never echoed (it may be a password). */
export function str(o: Obj, key: string, path: string, p: Problems, allowEmpty = false): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    p.push(`${at(path, key)} must be a string (got ${typeName(v)})`);
    return undefined;
  }
  if (!allowEmpty && v.trim() === '') {
    p.push(`${at(path, key)} must not be empty`);
    return undefined;
  }
  return v;
}

/** One of `values`, with the nearest suggested when it is a typo. */
export function oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[], p: Problems): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  p.push(`${at(path, key)} ${enumProblem(v, values)}`);
  return undefined;
}

/** 'must be one of a, b (got "x"; did you mean a?)' for a value not in `values`. */
export function enumProblem(v: unknown, values: readonly string[]): string {
  const got = typeof v === 'string' ? JSON.stringify(v) : typeName(v);
  const guess = typeof v === 'string' ? nearest(v, values) : null;
  return `must be one of ${values.join(', ')} (got ${got}${guess ? `; did you mean ${guess}?` : ''})`;
}

/** Constraints on a duration. */
export interface DurationRule {
  /** Reject 0 (a stage, a timeout or a fault length of 0 means nothing). */
  positive?: boolean;
  /** Longest allowed, ms (named in the message as a duration). */
  maxMs?: number;
}

/** Milliseconds, undefined when absent or wrong (with a problem). */
export function dur(o: Obj, key: string, path: string, rule: DurationRule, p: Problems): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const full = at(path, key);
  const problem = durationProblem(v, full);
  if (problem !== null) {
    p.push(problem);
    return undefined;
  }
  const ms = parseDuration(v as string | number, full);
  if (rule.positive && ms <= 0) {
    p.push(`${full} must be longer than 0 (got ${JSON.stringify(v)})`);
    return undefined;
  }
  if (rule.maxMs !== undefined && !(ms <= rule.maxMs)) {
    p.push(`${full} must be at most ${formatDuration(rule.maxMs)} (got ${JSON.stringify(v)})`);
    return undefined;
  }
  return ms;
}

/** `v` as an array (a problem and null otherwise). */
export function arrayAt(v: unknown, path: string, p: Problems): unknown[] | null {
  if (Array.isArray(v)) return v;
  p.push(`${path} must be an array (got ${typeName(v)})`);
  return null;
}

/**
 * A string given inline or as `{ env: "NAME" }` (a password, a client secret), read from the
 * environment when the scenario is loaded, so a scenario file need not hold it. The value is never
 * echoed in a problem; an unset variable is named. Every secret of a scenario is read with it.
 *
 * @example
 * secretAt({ password: { env: 'KEYCLOAK_PASSWORD' } }, 'password', 'target', problems); // process.env.KEYCLOAK_PASSWORD
 */
export function secretAt(o: Obj, key: string, path: string, p: Problems, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const ref = objectAt(v, at(path, key), ['env'], p);
    if (!ref) return undefined;
    const name = str(ref, 'env', at(path, key), p);
    if (name === undefined) {
      p.push(`${at(path, key)} must be a string or { env: "NAME" }`);
      return undefined;
    }
    const value = env[name];
    if (value === undefined || value === '') {
      p.push(`${at(path, key)} reads the environment variable ${name}, which is not set (export ${name}=…)`);
      return undefined;
    }
    return value;
  }
  return str(o, key, path, p);
}
