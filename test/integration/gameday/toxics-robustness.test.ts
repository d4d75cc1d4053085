/**
 * The harness never crashes or hangs under any toxic: one run walks through every toxic type on
 * both routes, each for a second, and must end on time with every failure classified.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_CLASSES } from '../../../src/report/schema.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-toxics-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

const TOXICS = [
  { type: 'latency', attributes: { latency: 200, jitter: 50 } },
  { type: 'bandwidth', attributes: { rate: 0 } }, // stalls: responses never arrive
  { type: 'slow_close', attributes: { delay: 300 } },
  { type: 'timeout', attributes: { timeout: 200 } },
  { type: 'reset_peer', attributes: { timeout: 50 } },
  { type: 'slicer', attributes: { average_size: 16, size_variation: 8, delay: 500 } },
  { type: 'limit_data', attributes: { bytes: 300 } },
  { type: 'noop', attributes: {} },
] as const;

describe('every toxic on every route', () => {
  it('the run ends on time, writes its report and classifies every failure', async () => {
    // Each toxic for 1 s, the stall 2.5 s so that requests outlive their 1 s timeout.
    let atMs = 500;
    const faults = TOXICS.map((toxic) => {
      const forMs = toxic.type === 'bandwidth' ? 2500 : 1000;
      const f = { at: atMs, for: forMs, endpoint: 'idp' as const, toxic: { ...toxic } };
      atMs += forMs + 250;
      return f;
    });
    const plan = validateScenario(
      { name: 'toxics', load: { ratePerSec: 15, duration: '13s', requestTimeout: '1s', connectTimeout: '500ms', maxInFlight: 200 }, faults },
      null,
    );
    const t0 = Date.now();
    const { report: r } = await runPlan(plan, { outDir });
    // 13 s of schedule, then in-flight flows end within their 1 s timeouts.
    expect(Date.now() - t0).toBeLessThan(27_000);
    expect(r.partial).toBe(false);
    expect(r.harness.reasons.filter((x) => x.startsWith('fault'))).toEqual([]);
    expect(r.phases.length).toBeGreaterThanOrEqual(TOXICS.length * 2);
    expect(r.flows.completed).toBeGreaterThan(20);
    expect(r.flows.failed).toBeGreaterThan(10);
    for (const cls of Object.keys(r.failures)) expect(FAILURE_CLASSES).toContain(cls);
    // No flow died of a harness bug.
    expect(r.failureEvidence.filter((e) => e.description?.startsWith('harness error'))).toEqual([]);
    const classes = Object.keys(r.failures);
    expect(classes).toEqual(expect.arrayContaining(['timeout_response', 'connection_reset']));
    // The noop phase is healthy.
    const noop = r.phases.find((p) => p.faults.some((f) => f.includes('noop')));
    expect(noop?.flows.failed ?? 0).toBe(0);
  });
});
