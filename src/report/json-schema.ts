/**
 * The JSON Schema of report.json (`tokenstorm/report@1`), checked whenever a report is read back
 * (`report`, `compare`, `--baseline`): a report.json is input like any other, and a hostile one
 * must not reach the renderers with a script where a number belongs. Fields are additive, so
 * unknown keys are allowed; every field the renderers and the comparison use is typed, and sizes
 * are bounded so a crafted file cannot make them allocate without limit.
 */
import { ENDPOINT_CLASSES, FAILURE_CLASSES, REPORT_SCHEMA } from './schema.ts';

const num = { type: 'number' } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const int = { type: 'integer', minimum: 0 } as const;
const text = (maxLength = 2000) => ({ type: 'string', maxLength }) as const;
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const list = (items: unknown, maxItems: number) => ({ type: 'array', items, maxItems });
const byClass = (keys: readonly string[], value: unknown) => ({
  type: 'object',
  propertyNames: { enum: [...keys] },
  additionalProperties: value,
});

const latency = obj({ p50: num, p90: num, p95: num, p99: num, p999: num, max: num, mean: num });
// An HDR histogram of a whole run encodes in a few KB; 1 MB is far beyond any real one.
const hdr = text(1_000_000);
const endpoint = obj({ count: int, errors: int, latencyMs: latency, serviceMs: latency, hdr, serviceHdr: hdr }, ['count', 'errors', 'latencyMs', 'hdr']);
const endpoints = byClass(ENDPOINT_CLASSES, endpoint);
const failures = byClass(FAILURE_CLASSES, int);
const flows4 = { started: int, completed: int, failed: int, dropped: int };

/** The schema, draft 2020-12 subset that ajv compiles. */
export const REPORT_JSON_SCHEMA = {
  type: 'object',
  properties: {
    schema: { const: REPORT_SCHEMA },
    runId: text(200),
    scenario: obj(
      { name: text(500), file: { type: ['string', 'null'], maxLength: 4096 }, mode: text(20), model: text(20), description: text(10_000) },
      ['name'],
    ),
    startedAt: text(100),
    durationMs: num,
    partial: { type: 'boolean' },
    target: obj({ kind: text(20), issuer: text(2000), clientId: text(500), faults: text(20) }, []),
    load: obj({ model: text(20), stages: list(obj({ durationMs: num, targetRatePerSec: num, vus: num }, ['durationMs']), 10_000) }, []),
    flows: obj({ ...flows4, late: int, unfinished: int }, ['started', 'completed', 'failed', 'dropped']),
    expectedFailures: list(obj({ failureClass: { enum: [...FAILURE_CLASSES] }, count: int }), 100),
    endpoints,
    failures,
    failureEvidence: list(
      obj(
        {
          failureClass: text(100),
          endpoint: text(100),
          status: num,
          error: text(500),
          description: text(2000),
          socketCode: text(200),
        },
        ['failureClass', 'endpoint'],
      ),
      10_000,
    ),
    phases: list(
      obj(
        { name: text(500), startMs: num, endMs: num, faults: list(text(2000), 1000), flows: obj(flows4), endpoints, failures },
        ['name', 'startMs', 'endMs', 'faults', 'flows', 'endpoints', 'failures'],
      ),
      10_000,
    ),
    series: list(
      obj(
        {
          t: num,
          phase: text(500),
          ...flows4,
          inFlight: num,
          endpoints: byClass(ENDPOINT_CLASSES, obj({ count: int, errors: int, p50: num, p95: num, p99: num })),
          failures,
        },
        ['t', 'phase', 'started', 'completed', 'failed', 'dropped', 'endpoints', 'failures'],
      ),
      // One point a second: 24 h and then some.
      200_000,
    ),
    thresholds: list(obj({ expr: text(1000), ok: { type: 'boolean' }, actual: numOrNull }), 1000),
    slo: obj({ p95Ms: num, errorRate: num, endpoint: { enum: [...ENDPOINT_CLASSES] } }, []),
    faults: list(
      obj({ fault: text(2000), phase: text(500), atMs: num, forMs: num, timeToDetectMs: numOrNull, timeToRecoverMs: numOrNull }),
      1000,
    ),
    knee: obj({ sustainedRatePerSec: numOrNull, brokeAtRatePerSec: numOrNull, reason: { type: ['string', 'null'], maxLength: 2000 } }),
    regressions: list(
      obj(
        { endpoint: { enum: [...ENDPOINT_CLASSES] }, stat: text(100), baseline: num, current: num, tolerancePct: num, ok: { type: 'boolean' }, skipped: text(2000) },
        ['endpoint', 'stat', 'baseline', 'current', 'tolerancePct', 'ok'],
      ),
      1000,
    ),
    harness: obj({
      eventLoopDelayMs: obj({ p50: num, p99: num, max: num }),
      cpuCores: num,
      cpuMsPerFlow: numOrNull,
      idpCpuCores: numOrNull,
      bottleneck: { type: 'boolean' },
      reasons: list(text(2000), 100),
      verifierPool: obj({ workers: num, taken: num, waits: num }),
      node: text(100),
    }),
  },
  required: ['schema', 'scenario', 'durationMs', 'target', 'load', 'flows', 'endpoints', 'failures', 'failureEvidence', 'phases', 'series', 'thresholds', 'harness'],
} as const;
