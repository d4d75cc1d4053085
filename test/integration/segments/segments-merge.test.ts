// Two execution segments (0/2 and 1/2) run by runPlan against the real embedded IdP, merged, have
// exactly the arrivals of one whole run, and the merged p95 is the p95 of the union of the raw
// flow samples.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrivalSchedule } from '../../../src/load/arrivals.ts';
import type { Segment } from '../../../src/load/segment.ts';
import { createHistogram, decodeHistogram, recordUs } from '../../../src/metrics/hdr.ts';
import { type EmbeddedIdp, mergeReports, runPlan, startEmbeddedIdp, validateScenario } from '../../../src/index.ts';
import { scratch } from '../k6/helpers.ts';

const RATE = 15;
const DURATION_MS = 3000;
const plan = () => validateScenario({ name: 'segmented', load: { model: 'open', ratePerSec: RATE, duration: `${DURATION_MS}ms` } }, 'inline');

describe('segments 0/2 + 1/2 merged = one whole run', () => {
  let idp: EmbeddedIdp;
  let dir: string;
  beforeAll(async () => {
    idp = await startEmbeddedIdp();
    dir = await scratch('segments');
  });
  afterAll(async () => {
    await idp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function runSegment(segment: Segment) {
    const latencyUs: number[] = [];
    const outcome = await runPlan(plan(), { outDir: dir, embeddedIdp: idp, direct: true, segment, onFlow: (f) => latencyUs.push((f.endedAt - f.intendedAt) * 1000) });
    return { report: outcome.report, latencyUs };
  }

  it('has exactly the whole schedule, and the p95 of the union of samples', async () => {
    const s0 = await runSegment({ index: 0, count: 2 });
    const s1 = await runSegment({ index: 1, count: 2 });
    expect(s0.report.segment).toEqual({ index: 0, count: 2 });
    const { report: merged } = mergeReports([
      { report: s0.report, label: 'seg0' },
      { report: s1.report, label: 'seg1' },
    ]);

    let scheduled = 0;
    const sched = new ArrivalSchedule(RATE, plan().stages);
    while (sched.next() !== null) scheduled++;
    const wholeRun = await runPlan(plan(), { outDir: dir, embeddedIdp: idp, direct: true });
    const arrivals = (r: { flows: { started: number; dropped: number } }) => r.flows.started + r.flows.dropped;
    expect(arrivals(wholeRun.report)).toBe(scheduled);
    expect(arrivals(merged)).toBe(scheduled);
    // k ≡ index (mod 2): segment 0 takes the even arrivals, one more when the count is odd.
    expect(arrivals(s0.report)).toBe(Math.ceil(scheduled / 2));
    expect(arrivals(s1.report)).toBe(Math.floor(scheduled / 2));

    // Merged p95 = p95 of the union of the raw samples (HDR, exact bucket for bucket).
    const h = createHistogram();
    for (const us of [...s0.latencyUs, ...s1.latencyUs]) recordUs(h, us);
    const mergedFlow = decodeHistogram(merged.endpoints.flow!.hdr);
    expect(mergedFlow.totalCount).toBe(h.totalCount);
    expect(mergedFlow.getValueAtPercentile(95)).toBe(h.getValueAtPercentile(95));
    expect(merged.segments?.map((s) => s.segment?.index)).toEqual([0, 1]);
    expect(merged.flows.completed).toBe(s0.report.flows.completed + s1.report.flows.completed);
  });
});
