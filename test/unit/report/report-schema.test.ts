/**
 * report.json is input when read back: the schema check rejects a hostile or corrupt one in one
 * line, and accepts every report the harness writes (the synthetic fixture covers every section).
 */
import { describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { reportSchemaProblem } from '../../../src/report/validate-report.ts';

/** A report as a hostile file may shape it: any value anywhere. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to put wrong types where the schema has numbers
type Loose = Record<string, any>;

const PAYLOAD = '<img src=x onerror=alert(1)>';

function hostile(mutate: (r: Loose) => void): unknown {
  const r = structuredClone(buildSyntheticReport()) as unknown as Loose;
  mutate(r);
  return r;
}

describe('report.json schema (read back)', () => {
  it('accepts the reports the harness writes', () => {
    expect(reportSchemaProblem(buildSyntheticReport())).toBeNull();
  });

  it.each([
    ['endpoints.token.errors', (r: Loose) => {
      r.endpoints.token.errors = PAYLOAD;
    }, 'endpoints.token.errors must be integer'],
    ['phases[0].flows.started', (r: Loose) => {
      r.phases[0].flows.started = PAYLOAD;
    }, 'phases.0.flows.started must be integer'],
    ['harness.verifierPool.workers', (r: Loose) => {
      r.harness.verifierPool.workers = PAYLOAD;
    }, 'harness.verifierPool.workers must be number'],
    ['flows.late', (r: Loose) => {
      r.flows.late = PAYLOAD;
    }, 'flows.late must be integer'],
    [
      'regressions[0].tolerancePct',
      (r: Loose) => {
        r.regressions = [{ endpoint: 'token', stat: 'p95', baseline: 1, current: 1, tolerancePct: PAYLOAD, ok: true }];
      },
      'regressions.0.tolerancePct must be number',
    ],
    ['an unknown endpoint class', (r: Loose) => {
      r.endpoints['<script>'] = r.endpoints.token;
    }, 'endpoints must be equal to one of the allowed values'],
  ])('rejects a script in %s, naming the field', (_name, mutate, message) => {
    const problem = reportSchemaProblem(hostile(mutate));
    expect(problem).toContain(message);
    expect(problem).not.toContain('\n');
  });

  it('names a wrong schema id plainly', () => {
    expect(reportSchemaProblem({ schema: 'other' })).toBe('schema is "other", expected "tokenstorm/report@1"');
    expect(reportSchemaProblem([])).toBe('top level is not an object');
  });
});
