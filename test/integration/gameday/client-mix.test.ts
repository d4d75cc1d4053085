/**
 * Buggy-client mixes as faults: during each window a share of the flows is played by a broken
 * client, and the report shows the IdP's answers as that window's phase (and `plain` in M6).
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-client-mix-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('clientMix faults', () => {
  it('each window fails with the classes its buggy client causes, and nowhere else', async () => {
    const plan = validateScenario(
      {
        name: 'mix',
        load: { ratePerSec: 20, duration: '6s' },
        faults: [
          { at: '1s', for: '2s', clientMix: { kind: 'F1', fraction: 0.5 } },
          { at: '3s', for: '2s', clientMix: { kind: 'F8', fraction: 0.5 } },
        ],
      },
      null,
    );
    const o = await runPlan(plan, { outDir, direct: true });
    const phase = (name: string) => o.report.phases.find((p) => p.name === name)!;
    expect(phase('clients F1 50%').failures.pkce_mismatch).toBeGreaterThan(3);
    // The embedded IdP accepts only S256: a plain challenge gets an error redirect.
    expect(phase('clients F8 50%').failures.pkce_method_rejected).toBeGreaterThan(3);
    expect(phase('baseline').failures).toEqual({});
    const m6 = o.report.pkce!.challengeMethods;
    expect(m6.sent.plain).toBeGreaterThan(3);
    expect(m6.accepted.plain ?? 0).toBe(0);
    // Every fault took (a mix is applied in-process), so the game day itself passes.
    expect(o.report.faults!.every((f) => f.applied)).toBe(true);
  });

  it('is refused outside flow mode', () => {
    expect(() =>
      validateScenario({ mode: 'token', load: { ratePerSec: 1, duration: '2s' }, faults: [{ at: 0, for: '1s', clientMix: { kind: 'F2', fraction: 0.1 } }] }, null),
    ).toThrow(/clientMix faults mix buggy clients into flows: they need mode flow \(mode is token\)/);
    expect(() => validateScenario({ load: { ratePerSec: 1, duration: '2s' }, faults: [{ at: 0, for: '1s', clientMix: { kind: 'F9', fraction: 2 } }] }, null)).toThrow(
      /faults\[0\]\.clientMix\.kind must be one of F1, F2, F5, F8, retry-reuse.*faults\[0\]\.clientMix\.fraction must be/,
    );
  });
});
