import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import type { Report } from '../../../src/report/schema.ts';
import { cli, scratch } from '../k6/helpers.ts';

describe('run --segment and merge (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratch('segment-cli');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a bad segment is one line, exit 2, before anything runs', async () => {
    for (const [seg, msg] of [
      ['3/2', 'tokenstorm: --segment 3/2: index must be below the count (0..1 for /2) (see --help)\n'],
      ['1of2', "tokenstorm: --segment must look like i/N, e.g. 0/2 (got '1of2') (see --help)\n"],
    ] as const) {
      const r = await cli(['run', 'smoke', '--segment', seg, '--out', join(dir, 'x')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(msg);
    }
  });

  it('--dry-run says which arrivals this segment runs', async () => {
    const r = await cli(['run', 'smoke', '--segment', '1/4', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Segment 1/4: this process runs arrivals k with k mod 4 = 1');
  });

  it('merge writes one gated report; different scenarios or schema versions are one line, exit 2', async () => {
    const a: Report = { ...buildSyntheticReport({ name: 'cap', seed: 1 }), segment: { index: 0, count: 2 } };
    const b: Report = { ...buildSyntheticReport({ name: 'cap', seed: 2 }), segment: { index: 1, count: 2 }, startedAt: '2025-01-01T00:00:00.400Z' };
    await writeFile(join(dir, 'a.json'), JSON.stringify(a));
    await writeFile(join(dir, 'b.json'), JSON.stringify(b));
    const ok = await cli(['merge', join(dir, 'a.json'), join(dir, 'b.json'), '--out', join(dir, 'merged'), '--quiet']);
    const m = JSON.parse(await readFile(join(dir, 'merged', 'report.json'), 'utf8')) as Report;
    expect(m.flows.started).toBe(a.flows.started + b.flows.started);
    expect(m.endpoints.token!.count).toBe(a.endpoints.token!.count + b.endpoints.token!.count);
    expect(m.segments).toHaveLength(2);
    expect(m.thresholds.map((t) => t.expr)).toEqual(['token:p(95)<200']);
    expect(ok.code).toBe(m.thresholds.every((t) => t.ok) ? 0 : 1);

    await writeFile(join(dir, 'c.json'), JSON.stringify({ ...b, scenario: { ...b.scenario, name: 'other' } }));
    const diff = await cli(['merge', join(dir, 'a.json'), join(dir, 'c.json'), '--out', join(dir, 'm2')]);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toBe(`tokenstorm: cannot merge different scenarios: "other" (${join(dir, 'c.json')}) and "cap" (${join(dir, 'a.json')}) (see --help)\n`);

    await writeFile(join(dir, 'd.json'), JSON.stringify({ ...b, schema: 'tokenstorm/report@2' }));
    const schema = await cli(['merge', join(dir, 'a.json'), join(dir, 'd.json'), '--out', join(dir, 'm3')]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toBe(`tokenstorm: ${join(dir, 'd.json')} is not a tokenstorm report: schema is "tokenstorm/report@2", expected "tokenstorm/report@1"\n`);

    await writeFile(join(dir, 'e.json'), JSON.stringify({ ...b, endpoints: { token: { ...b.endpoints.token, hdr: 'AAAA' } } }));
    const damaged = await cli(['merge', join(dir, 'a.json'), join(dir, 'e.json'), '--out', join(dir, 'm4')]);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toBe(`tokenstorm: ${join(dir, 'e.json')}: endpoints.token.hdr: histogram cannot be decoded\n`);

    // Untrusted nested fields: one line naming the field, not a crash.
    await writeFile(join(dir, 'f.json'), JSON.stringify({ ...b, harness: {} }));
    const hollow = await cli(['merge', join(dir, 'a.json'), join(dir, 'f.json'), '--out', join(dir, 'm5')]);
    expect(hollow.code).toBe(2);
    expect(hollow.stderr).toBe(`tokenstorm: ${join(dir, 'f.json')} is not a tokenstorm report: harness must have required property 'eventLoopDelayMs'\n`);
    await writeFile(join(dir, 'g.json'), JSON.stringify({ ...b, series: [{ t: 'x' }] }));
    const badSeries = await cli(['merge', join(dir, 'a.json'), join(dir, 'g.json'), '--out', join(dir, 'm6')]);
    expect(badSeries.code).toBe(2);
    expect(badSeries.stderr).toBe(`tokenstorm: ${join(dir, 'g.json')} is not a tokenstorm report: series.0 must have required property 'phase'\n`);
  });
});
