/**
 * `tokenstorm idp --auto-approve` as a remote issuer: the oidc-provider login driver's form post is
 * answered by the auto-approving interaction, so runs against it complete (it used to 404).
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';

const outDir = join(tmpdir(), `tokenstorm-auto-approve-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('an auto-approving embedded IdP as a remote issuer', () => {
  it('completes every flow', async () => {
    const idp = await startEmbeddedIdp({ autoApprove: true });
    try {
      const plan = validateScenario({ name: 'aa', load: { ratePerSec: 10, duration: '2s' }, target: { clientId: idp.clientId, redirectUri: idp.redirectUri } }, null);
      const { report } = await runPlan(plan, { outDir, direct: true, issuer: idp.issuer });
      expect(report.flows.failed, JSON.stringify(report.failureEvidence.slice(0, 2))).toBe(0);
      expect(report.flows.completed).toBeGreaterThan(10);
    } finally {
      await idp.stop();
    }
  });
});
