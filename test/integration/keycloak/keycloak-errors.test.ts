/**
 * Keycloak's real errors, provoked for real and classified from the evidence Keycloak returns:
 * token-endpoint errors (wrong or missing verifier, reused code, expired code, redirect_uri
 * mismatch), the authorize endpoint's error page (unregistered redirect_uri), and the login pages
 * (invalid credentials, disabled user, required actions, an expired login session).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import { exchangeCode, type FlowContext, obtainCode, runFlow } from '../../../src/flow/pkce-flow.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import { discover, type FlowTarget } from '../../../src/flow/target.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { generatePair } from '../../../src/pkce/challenge.ts';
import type { FailureEvidence } from '../../../src/report/schema.ts';
import { parsePage } from '../../../src/target/login/html-page.ts';
import { judgeKeycloakPage } from '../../../src/target/login/keycloak.ts';
import { createLoginDriver } from '../../../src/target/login/registry.ts';
import { issuerOf, passwordOf, REDIRECT_URI, requireKeycloak, skipKeycloak } from '../../keycloak/env.ts';
import { testFlowContext } from '../../support/flow-context.ts';

describe.skipIf(skipKeycloak)("classification of a real Keycloak's errors", () => {
  requireKeycloak();
  let http: HttpClient;

  beforeAll(() => {
    http = new HttpClient({ connections: 8, requestTimeoutMs: 20_000, connectTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await http?.close();
  });

  async function context(opts: { realm?: string; username?: string; password?: string; redirectUri?: string } = {}) {
    const username = opts.username ?? 'alice';
    const target: FlowTarget = await discover(http, issuerOf(opts.realm ?? 'tokenstorm'), {
      clientId: 'tokenstorm-public',
      redirectUri: opts.redirectUri ?? REDIRECT_URI,
      scope: 'openid',
      username,
      password: opts.password ?? passwordOf(username),
    });
    const ctx = testFlowContext(http, target, await createLoginDriver({ driver: 'keycloak' }));
    return { ctx, recorder: ctx.recorder };
  }

  async function code(ctx: FlowContext) {
    const session = new FlowSession(ctx.http, ctx.recorder);
    const got = await obtainCode(ctx, session);
    // (finish() ends the recorder: only read the evidence when there is no code to go on with)
    if (got === null) expect.fail(JSON.stringify(ctx.recorder.finish().failureEvidence));
    return { session, got: got! };
  }

  const only = (recorder: Recorder): FailureEvidence[] => recorder.finish().failureEvidence;

  it('wrong verifier → pkce_mismatch', async () => {
    const { ctx, recorder } = await context();
    const { session, got } = await code(ctx);
    expect(await exchangeCode(ctx, session, got, { overrideVerifier: generatePair().verifier })).toBe(false);
    expect(only(recorder)).toEqual([
      { failureClass: 'pkce_mismatch', endpoint: 'token', status: 400, error: 'invalid_grant', description: expect.stringMatching(/PKCE/) },
    ]);
  });

  it('missing verifier → pkce_verifier_missing', async () => {
    const { ctx, recorder } = await context();
    const { session, got } = await code(ctx);
    expect(await exchangeCode(ctx, session, got, { overrideVerifier: null })).toBe(false);
    expect(only(recorder).map((e) => e.failureClass)).toEqual(['pkce_verifier_missing']);
  });

  it('reused code → code_reused (the first exchange succeeds; Keycloak says "Code not valid")', async () => {
    const { ctx, recorder } = await context();
    const { session, got } = await code(ctx);
    expect(await exchangeCode(ctx, session, got)).toBe(true);
    expect(await exchangeCode(ctx, session, got)).toBe(false);
    expect(only(recorder)).toEqual([
      { failureClass: 'code_reused', endpoint: 'token', status: 400, error: 'invalid_grant', description: 'Code not valid' },
    ]);
  });

  it('expired code (realm with a 1 s code lifespan) → code_expired', async () => {
    const { ctx, recorder } = await context({ realm: 'tokenstorm-short-code' });
    const { session, got } = await code(ctx);
    await sleep(2500);
    expect(await exchangeCode(ctx, session, got)).toBe(false);
    // Keycloak drops the code from its single-use store at expiry and then says "Code not valid",
    // as for a reused code: this code was presented for the first time, so it expired.
    expect(only(recorder).map((e) => [e.failureClass, e.description])).toEqual([
      ['code_expired', expect.stringMatching(/^Code not valid \(first presentation of this code, issued [\d.]+s before\)$|^Code is expired/)],
    ]);
  });

  it('redirect_uri differing at the token endpoint → redirect_uri_mismatch', async () => {
    const { ctx, recorder } = await context();
    const { session, got } = await code(ctx);
    // Also registered for the client, so only the binding to the authorization request is wrong.
    expect(await exchangeCode(ctx, session, got, { overrideRedirectUri: 'http://localhost/callback' })).toBe(false);
    expect(only(recorder).map((e) => e.failureClass)).toEqual(['redirect_uri_mismatch']);
  });

  it('unregistered redirect_uri at the authorize endpoint → redirect_uri_mismatch from the error page', async () => {
    const { ctx, recorder } = await context({ redirectUri: 'http://127.0.0.1/not-registered' });
    expect(await runFlow(ctx, performance.now())).toBe(false);
    expect(only(recorder)).toEqual([
      { failureClass: 'redirect_uri_mismatch', endpoint: 'authorize', status: 400, description: expect.stringMatching(/redirect_uri/) },
    ]);
  });

  it('invalid credentials → login_failed saying so', async () => {
    const { ctx, recorder } = await context({ password: 'not-the-password-42' });
    expect(await runFlow(ctx, performance.now())).toBe(false);
    const ev = only(recorder);
    expect(ev).toEqual([{ failureClass: 'login_failed', endpoint: 'login', status: 200, description: 'keycloak: invalid credentials: Invalid username or password.' }]);
    expect(JSON.stringify(ev)).not.toContain('not-the-password-42');
  });

  it('disabled user → login_failed "account disabled"', async () => {
    const { ctx, recorder } = await context({ username: 'disabled-user' });
    expect(await runFlow(ctx, performance.now())).toBe(false);
    expect(only(recorder)).toEqual([
      { failureClass: 'login_failed', endpoint: 'login', status: 200, description: expect.stringMatching(/^keycloak: account disabled: Account is disabled/) },
    ]);
  });

  it('required actions (update password, OTP set-up) → login_failed naming the action', async () => {
    for (const [username, action] of [
      ['update-password-user', 'update password'],
      ['otp-user', 'configure OTP'],
    ] as const) {
      const { ctx, recorder } = await context({ username });
      expect(await runFlow(ctx, performance.now())).toBe(false);
      const ev = only(recorder);
      expect(ev.map((e) => e.failureClass)).toEqual(['login_failed']);
      expect(ev[0]?.description).toContain(`required action "${action}"`);
    }
  });

  it('a login form posted without the login cookies → the page Keycloak shows is read as an expired session', async () => {
    const { ctx } = await context();
    const authorize = new URL(ctx.target.authorizationEndpoint.href);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'tokenstorm-public', redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', code_challenge: generatePair().challenge, code_challenge_method: 'S256' })) {
      authorize.searchParams.set(k, v);
    }
    const first = await http.send('authorize', { method: 'GET', url: authorize });
    if (!first.ok) throw new Error(first.failure.message);
    const form = parsePage(first.res.body, authorize).forms.find((f) => f.id === 'kc-form-login')!;
    // Not through a FlowSession: no cookie jar, as if the login session had expired.
    const post = await http.send('login', { method: 'POST', url: form.action, form: new URLSearchParams({ username: 'alice', password: passwordOf('alice') }) });
    if (!post.ok) throw new Error(post.failure.message);
    const verdict = judgeKeycloakPage(parsePage(post.res.body, form.action), { usernameSent: true, passwordSent: true, consentSent: 0 }, post.res.status);
    expect(verdict?.failureClass).toBe('login_failed');
    expect(verdict?.description).toMatch(/^login session expired \(page error\): .*cookie not found/i);
  });
});
