/**
 * Every probe against the real embedded IdP (oidc-provider in its child process): the correct IdP
 * gives the correct answers (no finding but the two informational ones), and each deliberately
 * vulnerable mode makes exactly the probes that look for it report a finding. Outputs are scanned
 * for every secret the probes handled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, type IdpModeName, idpModeFromNames, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { applyIdpMode } from '../../../src/chaos/idp-mode-actuator.ts';
import { type OpenedProbeTarget, openProbeTarget } from '../../../src/probe/context.ts';
import { PROBES } from '../../../src/probe/registry.ts';
import { runProbe, runProbes, selectProbes } from '../../../src/probe/runner.ts';
import { buildProbeReport } from '../../../src/report/probe-report.ts';
import { scanFilesForSecrets } from '../../../src/report/secret-scan.ts';
import { writeReportFiles } from '../../../src/report/write.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const CODE_TTL_SEC = 2;
let idp: EmbeddedIdp;
let target: OpenedProbeTarget;
let dir: string;
const secrets = new Set<string>();

beforeAll(async () => {
  idp = await startEmbeddedIdp({ codeTtlSec: CODE_TTL_SEC });
  target = await openProbeTarget({
    embeddedIdp: idp,
    plan: validateScenario({ load: { ratePerSec: 1, duration: '1s' }, codeBank: { maxAge: '1s' }, target: { codeTtlSec: CODE_TTL_SEC, password: 'any' } }, null),
    onSecret: (s) => secrets.add(s),
  });
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-probes-'));
}, 30_000);

afterAll(async () => {
  await target?.[Symbol.asyncDispose]();
  await idp?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('probes against the correct embedded IdP', () => {
  it('every probe passes; only the two informational findings (P14, pkce-fail-redeemable) show', async () => {
    await idp.setMode({});
    const { outcomes, findings } = await runProbes(target.pc);
    expect(outcomes.map((o) => o.probe)).toEqual(PROBES.map((p) => p.id));
    const notPassed = outcomes.filter((o) => o.status !== 'pass').map((o) => `${o.probe}:${o.status}`);
    // dpop-unbound needs a DPoP client (tested below); this scenario's client is public without DPoP.
    expect(notPassed.sort()).toEqual(['P14:finding', 'dpop-unbound:skipped', 'pkce-fail-redeemable:finding']);
    expect(findings.map((f) => [f.probe, f.severity])).toEqual([
      ['P14', 'info'],
      ['pkce-fail-redeemable', 'info'],
    ]);
    // The replay probes checked revocation through the refresh tokens the embedded IdP issues.
    const p8 = outcomes.find((o) => o.probe === 'P8')!;
    expect(p8.evidence.map((e) => e.step)).toContain('refresh with the first redemption’s refresh token');
    expect(p8.evidence.at(-1)).toMatchObject({ status: 400, error: 'invalid_grant' });
    const p1 = outcomes.find((o) => o.probe === 'P1')!;
    expect(p1.evidence[1]).toMatchObject({ status: 400, error: 'invalid_grant', failureClass: 'pkce_mismatch' });

    // M7: nothing the probes handled reaches the written outputs.
    const report = buildProbeReport({
      runId: 'probe-test',
      startedAt: new Date(),
      durationMs: 1,
      scenario: { name: 'probe-test', file: null },
      target: { kind: 'embedded', issuer: idp.issuer, clientId: idp.clientId },
      outcomes,
      findings,
      failOn: 'high',
      traffic: target.recorder.finish(),
    });
    const files = await writeReportFiles(report, dir);
    expect(secrets.size).toBeGreaterThan(50);
    const scan = await scanFilesForSecrets([files.json, files.html, files.junit], secrets);
    expect(scan).toEqual({ found: 0, where: [], scanned: 3 });
  }, 120_000);
});

// Mode → the probes that must report it (and nothing else beyond the informational two).
const CASES: Array<[IdpModeName, Array<[string, string]>]> = [
  ['accept-any-verifier', [['P1', 'critical'], ['P3', 'low'], ['P4', 'critical'], ['P10', 'medium']]],
  ['accept-plain', [['P5', 'medium'], ['discovery-methods', 'medium']]],
  ['reusable-codes', [['P8', 'critical'], ['P9', 'critical'], ['refresh-reuse', 'high']]],
  ['ignore-pkce', [['P2', 'critical'], ['P6', 'high'], ['P7', 'high']]],
  ['no-iss', [['iss', 'high']]],
  ['ignore-code-expiry', [['P11', 'medium']]],
  ['ignore-redirect-uri', [['P12', 'high']]],
  ['ignore-client', [['P13', 'critical']]],
];
const INFO = new Set(['P14', 'pkce-fail-redeemable']);

describe('probes against the deliberately vulnerable modes', () => {
  for (const [mode, expected] of CASES) {
    it(`${mode}: ${expected.map(([p]) => p).join(', ')} report it`, async () => {
      await idp.setMode(idpModeFromNames([mode]));
      try {
        // P11 waits out the code lifetime: only where it is the probe under test.
        const skip = mode === 'ignore-code-expiry' ? [...INFO] : [...INFO, 'P11'];
        const { findings } = await runProbes(target.pc, selectProbes([], skip));
        expect(findings.map((f) => [f.probe, f.severity])).toEqual(expected);
        for (const f of findings) expect(f.evidence.length).toBeGreaterThan(0);
      } finally {
        await idp.setMode({});
      }
    }, 120_000);
  }
});

describe('idpMode fault actuator', () => {
  it('applies a mode for the fault window and undoes it', async () => {
    const fault = await applyIdpMode(idp, 'reusable-codes');
    expect((await runProbe(target.pc, 'P8')).outcome.status).toBe('finding');
    await fault.undo();
    expect((await runProbe(target.pc, 'P8')).outcome.status).toBe('pass');
  }, 60_000);
});

describe('the DPoP proof-of-possession probe', () => {
  it('a DPoP-bound refresh token presented without a proof is refused by the embedded IdP', async () => {
    await idp.setMode({});
    await using dpopTarget = await openProbeTarget({
      embeddedIdp: idp,
      plan: validateScenario({ load: { ratePerSec: 1, duration: '1s' }, codeBank: { maxAge: '1s' }, target: { codeTtlSec: CODE_TTL_SEC, client: { dpop: true } } }, null),
    });
    const { outcomes } = await runProbes(dpopTarget.pc, selectProbes(['dpop-unbound'], []));
    const o = outcomes[0]!;
    expect(o.status, JSON.stringify(o)).toBe('pass');
    expect(o.evidence.at(-1)).toMatchObject({ status: 400 });
  });
});
