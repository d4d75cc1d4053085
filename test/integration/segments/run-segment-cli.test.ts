// `tokenstorm run --segment` end to end through the built CLI: 0/2 and 1/2, merged, against one
// whole run. Until runPlan applies RunOptions.segment (the lead's src/run.ts rewrite; the wiring
// is given in src/load/segment.ts), the CLI must say it ran the whole schedule instead — this test
// checks that warning then, and the full arrival-for-arrival property once the wiring is in.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/schema.ts';
import { cli, scratch } from '../k6/helpers.ts';

async function reportsIn(dir: string): Promise<Report[]> {
  const runs = await readdir(dir);
  return Promise.all(runs.map(async (r) => JSON.parse(await readFile(join(dir, r, 'report.json'), 'utf8')) as Report));
}

describe('run --segment 0/2 + 1/2 + merge (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratch('run-segment');
    await writeFile(join(dir, 's.json'), JSON.stringify({ name: 'seg-cli', load: { model: 'open', ratePerSec: 15, duration: '3s' } }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the merged segments have the arrivals of the whole run', async () => {
    const s0 = await cli(['run', join(dir, 's.json'), '--segment', '0/2', '--quiet', '--out', join(dir, 'parts')]);
    const s1 = await cli(['run', join(dir, 's.json'), '--segment', '1/2', '--quiet', '--out', join(dir, 'parts')]);
    const whole = await cli(['run', join(dir, 's.json'), '--quiet', '--out', join(dir, 'whole')]);
    expect([s0.code, s1.code, whole.code]).toEqual([0, 0, 0]);
    const parts = await reportsIn(join(dir, 'parts'));
    const [w] = await reportsIn(join(dir, 'whole'));
    const wholeArrivals = w!.flows.started + w!.flows.dropped;
    expect(wholeArrivals).toBe(45);
    if (parts.some((p) => p.segment === undefined)) {
      // Not wired yet: said so, on stderr, for each segment run.
      expect(s0.stderr).toMatch(/runPlan ignores --segment; .* covers the whole schedule/);
      expect(s1.stderr).toMatch(/runPlan ignores --segment/);
      return;
    }
    const merged = await cli(['merge', ...parts.map((p) => join(dir, 'parts', p.runId, 'report.json')), '--out', join(dir, 'merged'), '--quiet', '--json']);
    const m = JSON.parse(merged.stdout) as Report;
    expect(parts.map((p) => p.flows.started + p.flows.dropped).sort()).toEqual([22, 23]);
    expect(m.flows.started + m.flows.dropped).toBe(wholeArrivals);
    expect(m.segments?.map((s) => s.segment?.index).sort()).toEqual([0, 1]);
  });
});
