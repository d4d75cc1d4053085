/**
 * Probes mixed into a load run (`probes: { ratePerSec }`): findings reach the report and make the
 * run exit 4; probe traffic never enters the load's histograms.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { idpModeFromNames } from '../../../src/idp/modes.ts';
import { startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-probes-run-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

const scenario = () =>
  validateScenario({ name: 'probe-mix', load: { ratePerSec: 10, duration: '3s' }, probes: { ratePerSec: 4, only: ['P1', 'P8', 'P9'] }, thresholds: ['flow:rate(failed)<0.01'] }, null);

describe('probes under load', () => {
  it('a correct IdP: probes pass, the load is untouched by probe traffic, exit 0', async () => {
    const idp = await startEmbeddedIdp();
    try {
      const o = await runPlan(scenario(), { outDir, direct: true, embeddedIdp: idp });
      expect(o.report.probes!.map((p) => [p.probe, p.status])).toEqual([
        ['P1', 'pass'],
        ['P8', 'pass'],
        ['P9', 'pass'],
      ]);
      expect(o.report.findings).toEqual([]);
      // Only the load's own flows are in its histograms.
      expect(o.report.endpoints.token!.count).toBe(o.report.flows.completed + o.report.flows.failed);
      expect(o.exitCode).toBe(0);
    } finally {
      await idp.stop();
    }
  });

  it('an IdP that redeems codes again: the findings are reported and the run exits 4', async () => {
    const idp = await startEmbeddedIdp({ mode: idpModeFromNames(['reusable-codes']) });
    try {
      const o = await runPlan(scenario(), { outDir, direct: true, embeddedIdp: idp });
      const found = (o.report.findings ?? []).map((f) => [f.probe, f.severity]);
      expect(found).toContainEqual(['P8', 'critical']);
      expect(o.exitCode).toBe(4);
      expect(o.report.flows.failed).toBe(0);
    } finally {
      await idp.stop();
    }
  });
});
