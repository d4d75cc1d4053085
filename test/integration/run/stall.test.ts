/**
 * Coordinated omission: a 1 s stall of the IdP (SIGSTOP on its child process) during a
 * 20 flows/s open-model run (a rate the IdP sustains even on a busy machine, so the only backlog is
 * the stall's) must show in the corrected latency (from the intended start) but not
 * in the service time of flows that started after the stall.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import type { FlowRecord } from '../../../src/flow/pkce-flow.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-stall-${process.pid}`);
let idp: EmbeddedIdp | null = null;
afterAll(async () => {
  await idp?.stop();
  await rm(outDir, { recursive: true, force: true });
});

describe('scheduled stall', () => {
  it('shows in corrected p99 (≥ 500 ms) but not in later flows’ service time', async () => {
    idp = await startEmbeddedIdp();
    const started = idp;
    const plan = validateScenario({ name: 'stall', load: { ratePerSec: 20, duration: '12s', maxInFlight: 1000 } }, null);
    const flows: FlowRecord[] = [];
    let stallStart = 0;
    let stallEnd = 0;
    let resume: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    // The stall starts once 30 flows have ended, not at a wall-clock time: on a busy machine the
    // run's start-up alone can take seconds (issue 15: the stall then came before the load).
    const onFlow = (f: FlowRecord): void => {
      flows.push(f);
      if (flows.length === 30) {
        stallStart = performance.now();
        process.kill(started.pid, 'SIGSTOP');
        resume = setTimeout(() => {
          process.kill(started.pid, 'SIGCONT');
          stallEnd = performance.now();
        }, 1000);
      }
    };
    const outcome = await runPlan(plan, { outDir, embeddedIdp: started, direct: true, onFlow });
    clearTimeout(resume);
    expect(stallEnd).toBeGreaterThan(t0);

    const r = outcome.report;
    expect(r.flows.dropped).toBe(0);
    expect(r.flows.failed, JSON.stringify(r.failures) + JSON.stringify(r.failureEvidence.slice(0, 3))).toBe(0);
    // Corrected: the ~20 flows scheduled during the stall waited up to 1 s (8% of the run).
    expect(r.endpoints.flow!.latencyMs.p99).toBeGreaterThanOrEqual(500);
    // Flows started after the stall, once its backlog has drained, have service times like those
    // before it: the stall is not in their service time.
    const service = (fs: FlowRecord[]) => fs.map((f) => f.endedAt - f.startedAt).sort((a, b) => a - b);
    const before = service(flows.filter((f) => f.endedAt < stallStart));
    const after = service(flows.filter((f) => f.startedAt > stallEnd + 1500));
    expect(before.length).toBeGreaterThanOrEqual(30);
    expect(after.length).toBeGreaterThan(10);
    const q = (xs: number[], p: number) => xs[Math.floor(xs.length * p)]!;
    // Flows scheduled inside the stall: corrected latency includes the wait (≥ 500 ms by choice of
    // the window) …
    const during = flows.filter((f) => f.intendedAt > stallStart + 100 && f.intendedAt < stallEnd - 500);
    expect(during.length).toBeGreaterThan(3);
    for (const f of during) expect(f.endedAt - f.intendedAt).toBeGreaterThan(400);
    // … and the later flows' service time does not: their median is below the median corrected
    // latency of the stalled flows. A relation, not a wall-clock bound (issue 15): on this shared
    // machine the cold start alone took 1.4 s of median service time in one run, so no absolute
    // bound holds; the stall would have to recur by itself to break this.
    const stalled = during.map((f) => f.endedAt - f.intendedAt).sort((a, b) => a - b);
    expect(q(after, 0.5)).toBeLessThan(q(stalled, 0.5));
  });
});
