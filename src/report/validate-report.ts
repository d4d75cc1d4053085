/**
 * Checks a parsed report.json against {@link REPORT_JSON_SCHEMA} with ajv (compiled once) and
 * says what is wrong in one line.
 */
import type { Ajv } from 'ajv';
import { lazyRequire } from '../lazy-require.ts';
import { stripControl } from '../metrics/redact.ts';
import { REPORT_JSON_SCHEMA } from './json-schema.ts';
import { REPORT_SCHEMA } from './schema.ts';

/** ajv is only needed when a report is read back (--baseline, compare, merge, report). */
const ajv = lazyRequire<typeof import('ajv')>('ajv');
let validate: ReturnType<Ajv['compile']> | undefined;

/**
 * The first problem of a parsed report.json against its schema, as `path message`, or null.
 *
 * @example
 * reportSchemaProblem({ schema: 'x' }); // 'schema is "x", expected "tokenstorm/report@1"'
 */
export function reportSchemaProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'top level is not an object';
  const id = (data as { schema?: unknown }).schema;
  // The most common mistake (another file, another version) said plainly, before the details.
  if (id !== REPORT_SCHEMA) return `schema is ${JSON.stringify(id ?? null)?.slice(0, 80)}, expected "${REPORT_SCHEMA}"`;
  // allErrors off: the first problem is enough for one line, and stops early on a huge bad file.
  validate ??= new (ajv().Ajv)({ allErrors: false, strict: false }).compile(REPORT_JSON_SCHEMA);
  if (validate(data)) return null;
  const err = validate.errors?.[0];
  if (!err) return 'does not match the report schema';
  const path = err.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'top level';
  const extra = err.keyword === 'propertyNames' && typeof err.params.propertyName === 'string' ? ` (${JSON.stringify(err.params.propertyName).slice(0, 60)})` : '';
  const value = err.keyword === 'enum' || err.keyword === 'propertyNames' ? extra : '';
  return stripControl(`${path.slice(0, 120)} ${err.message ?? 'is invalid'}${value}`);
}
