/**
 * Full authorization-code + PKCE flows against a REAL Keycloak (started once per test run by
 * test/keycloak/global-setup.ts), through runFlow with the FlowContext built by hand as run.ts does:
 * the keycloak driver, the generic form driver, a client with a consent screen, and the
 * oidc-provider driver meeting Keycloak's page (login_unsupported with the form's field names).
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import type { LoginDriver } from '../../../src/flow/login-driver.ts';
import { type FlowContext, runFlow } from '../../../src/flow/pkce-flow.ts';
import { discover, type FlowTarget } from '../../../src/flow/target.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { loadScenario } from '../../../src/scenario/load.ts';
import { createLoginDriver } from '../../../src/target/login/registry.ts';
import { issuerOf, keycloakStartMs, passwordOf, REDIRECT_URI, requireKeycloak, skipKeycloak } from '../../keycloak/env.ts';
import { testFlowContext } from '../../support/flow-context.ts';

describe.skipIf(skipKeycloak)('PKCE flows against a real Keycloak', () => {
  requireKeycloak();
  let http: HttpClient;
  const targets = new Map<string, FlowTarget>();

  beforeAll(async () => {
    http = new HttpClient({ connections: 16, requestTimeoutMs: 20_000, connectTimeoutMs: 5000 });
    for (const [key, clientId, username] of [
      ['public', 'tokenstorm-public', 'alice'],
      ['consent-alice', 'tokenstorm-consent', 'alice'],
      ['consent-bob', 'tokenstorm-consent', 'bob'],
    ] as const) {
      targets.set(key, await discover(http, issuerOf('tokenstorm'), { clientId, redirectUri: REDIRECT_URI, scope: 'openid', username, password: passwordOf(username) }));
    }
  });
  afterAll(async () => {
    await http?.close();
  });

  function context(login: LoginDriver, key = 'public'): { ctx: FlowContext; recorder: Recorder; secrets: string[] } {
    const secrets: string[] = [];
    const ctx = testFlowContext(http, targets.get(key)!, login, { onSecret: (v) => secrets.push(v) });
    return { ctx, recorder: ctx.recorder, secrets };
  }

  it('keycloak driver: flows complete, ID tokens verified, no secret in the report', async () => {
    const { ctx, recorder, secrets } = context(await createLoginDriver({ driver: 'keycloak' }));
    const flows = 24;
    const concurrency = 4;
    const t0 = performance.now();
    let next = 0;
    const results: boolean[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < flows) {
          next++;
          results.push(await runFlow(ctx, performance.now()));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const report = recorder.finish();
    process.stderr.write(
      `keycloak: ${flows} flows (concurrency ${concurrency}) in ${seconds.toFixed(1)}s = ${(flows / seconds).toFixed(1)} flows/s; Keycloak start ${(keycloakStartMs / 1000).toFixed(1)}s\n`,
    );
    expect(report.failureEvidence).toEqual([]);
    expect(results.filter(Boolean)).toHaveLength(flows);
    expect(report.flows.completed).toBe(flows);
    // authorize page + login POST (302 → redirect_uri, timed as login) per flow
    expect(report.endpoints.authorize?.count).toBe(flows);
    expect(report.endpoints.login?.count).toBe(flows);
    expect(report.endpoints.callback).toBeUndefined();
    expect(report.endpoints.token?.count).toBe(flows);
    const text = JSON.stringify(report);
    expect(secrets.length).toBeGreaterThan(flows * 3);
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toContain(passwordOf('alice'));
  });

  it('generic form driver: the same flows without any Keycloak knowledge', async () => {
    const { ctx, recorder } = context(await createLoginDriver({ driver: 'form' }));
    for (let i = 0; i < 3; i++) expect(await runFlow(ctx, performance.now())).toBe(true);
    expect(recorder.finish().failureEvidence).toEqual([]);
  });

  it('consent screen: both drivers press accept and get the code', async () => {
    // Keycloak remembers a user's consent per client: one user per driver, so each sees the screen
    // (the realm is fresh in every test run: dev-mem database).
    for (const [driver, key] of [
      ['keycloak', 'consent-alice'],
      ['form', 'consent-bob'],
    ] as const) {
      const { ctx, recorder } = context(await createLoginDriver({ driver }), key);
      expect(await runFlow(ctx, performance.now()), driver).toBe(true);
      const report = recorder.finish();
      expect(report.failureEvidence).toEqual([]);
      // password POST → 302 to the consent page, its GET (both login); consent POST → redirect (consent)
      expect(report.endpoints.login?.count, driver).toBe(2);
      expect(report.endpoints.consent?.count, driver).toBe(1);
    }
  });

  it('scenarios/keycloak.ts: its plan (login driver, password from the environment) drives the real Keycloak', async () => {
    process.env.KEYCLOAK_PASSWORD = passwordOf('alice');
    const plan = await loadScenario('keycloak');
    expect(plan.target.login).toEqual({ driver: 'keycloak' });
    // What run.ts does with the plan; the issuer is this test's Keycloak (run --issuer does the same).
    const target = await discover(http, issuerOf('tokenstorm'), {
      clientId: plan.target.clientId!,
      redirectUri: plan.target.redirectUri!,
      scope: plan.target.scope,
      username: plan.target.username,
      password: plan.target.password,
    });
    targets.set('scenario', target);
    const { ctx, recorder } = context(await createLoginDriver(plan.target.login), 'scenario');
    for (let i = 0; i < 3; i++) expect(await runFlow(ctx, performance.now())).toBe(true);
    expect(recorder.finish().failureEvidence).toEqual([]);
  });

  it('the oidc-provider driver on a Keycloak page: login_unsupported naming the form fields', async () => {
    const { ctx, recorder } = context(await createLoginDriver({ driver: 'oidc-provider' }));
    expect(await runFlow(ctx, performance.now())).toBe(false);
    const report = recorder.finish();
    expect(report.failures).toEqual({ login_unsupported: 1 });
    expect(report.failureEvidence[0]?.description).toContain('#kc-form-login[username, password, credentialId]');
    expect(report.failureEvidence[0]?.description).toContain('set target.login.driver to form or keycloak');
  });
});
