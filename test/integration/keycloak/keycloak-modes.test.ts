/**
 * Every workload and client authentication of a run against the real Keycloak, through runPlan:
 * flows with the keycloak login driver (public, client secret, private_key_jwt, DPoP-bound), token
 * mode, refresh tokens with rotation, and client credentials.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { issuerOf, passwordOf, REALM_FILE, REDIRECT_URI, requireKeycloak, skipKeycloak } from '../../keycloak/env.ts';
import { readFileSync } from 'node:fs';

const outDir = join(tmpdir(), `tokenstorm-kc-modes-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));
const KEY_FILE = resolve(import.meta.dirname, '../../keycloak/fixtures/private-key-jwt.pem');
const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as { clients: Array<{ clientId: string; secret?: string }> };
const secretOf = (clientId: string): string => realm.clients.find((c) => c.clientId === clientId)!.secret!;

describe.skipIf(skipKeycloak)('runs against a real Keycloak', () => {
  requireKeycloak();

  async function run(scenario: Record<string, unknown>, target: Record<string, unknown>) {
    const plan = validateScenario(
      {
        name: 'kc',
        // Keycloak logins cost ~100 ms of its CPU each: a rate a busy two-core machine sustains.
        load: { ratePerSec: 2, duration: '4s', requestTimeout: '20s' },
        codeBank: { size: 8, producers: 2, maxAge: '20s' },
        refresh: { sessions: 3 },
        ...scenario,
        target: {
          issuer: issuerOf('tokenstorm'),
          redirectUri: REDIRECT_URI,
          username: 'alice',
          password: passwordOf('alice'),
          login: { driver: 'keycloak' },
          ...target,
        },
      },
      null,
    );
    return (await runPlan(plan, { outDir, direct: true })).report;
  }

  it.each([
    ['flow, public client', {}, { clientId: 'tokenstorm-public' }],
    ['flow, client_secret_basic', {}, { clientId: 'tokenstorm-confidential', client: { auth: 'client_secret_basic', clientSecret: secretOf('tokenstorm-confidential') } }],
    ['flow, private_key_jwt', {}, { clientId: 'tokenstorm-private-key-jwt', client: { auth: 'private_key_jwt', privateKeyFile: KEY_FILE, assertionAlg: 'ES256' } }],
    ['flow, DPoP-bound client', {}, { clientId: 'tokenstorm-dpop', client: { dpop: true } }],
    ['token mode', { mode: 'token' }, { clientId: 'tokenstorm-public' }],
    ['refresh mode', { mode: 'refresh' }, { clientId: 'tokenstorm-public' }],
    ['client_credentials, client_secret_post', { mode: 'client_credentials' }, { clientId: 'tokenstorm-service', client: { auth: 'client_secret_post', clientSecret: secretOf('tokenstorm-service') } }],
  ])('%s: every unit completes', async (_name, scenario, target) => {
    const r = await run(scenario, target);
    expect(r.flows.failed, JSON.stringify(r.failureEvidence.slice(0, 3))).toBe(0);
    expect(r.flows.completed).toBeGreaterThanOrEqual(4);
  });

  it('a DPoP-bound client without proofs is refused, from Keycloak\'s own answer', async () => {
    const r = await run({}, { clientId: 'tokenstorm-dpop' });
    expect(r.flows.completed).toBe(0);
    expect(Object.keys(r.failures), JSON.stringify(r.failureEvidence[0])).toEqual(['dpop_proof_invalid']);
  });
});
