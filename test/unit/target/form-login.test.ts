/**
 * The generic form driver against small real pages on a local socket: one-step login with CSRF
 * token and consent, multi-step (username page, then password page), GET forms, wrong password,
 * a page it cannot drive (login_unsupported with field names, never values), a redirect off this
 * machine, an oversized page. Every check the server makes would refuse a wrong submission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import type { FlowTarget } from '../../../src/flow/target.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { createFormLogin } from '../../../src/target/login/form.ts';
import { oidcProviderLogin } from '../../../src/target/login/oidc-provider.ts';
import { PASSWORD, REDIRECT_URI, startTinyIdp, type TinyFlow, USER } from './tiny-idp.ts';

let idp: Awaited<ReturnType<typeof startTinyIdp>>;
let http: HttpClient;

beforeAll(async () => {
  idp = await startTinyIdp();
  http = new HttpClient({ connections: 4, requestTimeoutMs: 5000, connectTimeoutMs: 2000 });
});
afterAll(async () => {
  await http?.close();
  await idp?.close();
});

function target(password = PASSWORD): FlowTarget {
  return { issuer: idp.origin, redirectUri: REDIRECT_URI, username: USER, password, clientId: 'x', scope: 'openid' } as FlowTarget;
}

async function login(flow: TinyFlow, options: Parameters<typeof createFormLogin>[0] = {}, password = PASSWORD) {
  const recorder = new Recorder({ now: () => 0 });
  const secrets: string[] = [];
  const session = new FlowSession(http, recorder, (v) => secrets.push(v));
  const result = await createFormLogin(options).run(session, target(password), idp.authorizeUrl(flow));
  const report = recorder.finish();
  return { result, report, secrets, evidence: JSON.stringify(report.failureEvidence) };
}

describe('form login driver', () => {
  it('one step: carries the CSRF token and cookie, fills detected fields, presses Allow on the consent page', async () => {
    const refusedBefore = idp.seen.refused.length;
    const { result, report } = await login('one-step');
    expect(idp.seen.refused.slice(refusedBefore)).toEqual([]);
    expect(result?.callbackUrl.searchParams.get('state')).toBe('st-1');
    expect(result?.callbackUrl.searchParams.get('code')).toMatch(/[0-9a-f-]{36}/);
    // The consent POST answered with the redirect to redirect_uri: timed as consent, not callback.
    expect(result?.endpoint).toBe('consent');
    expect(report.failureEvidence).toEqual([]);
    // authorize page, login POST (303), consent page GET (follows the login), consent POST (302 to redirect_uri)
    expect(report.endpoints.authorize?.count).toBe(1);
    expect(report.endpoints.login?.count).toBe(2);
    expect(report.endpoints.consent?.count).toBe(1);
    expect(report.endpoints.callback).toBeUndefined();
  });

  it('multi step: username page, then password page with the username hidden', async () => {
    const { result, report } = await login('multi-step');
    expect(report.failureEvidence).toEqual([]);
    expect(result?.callbackUrl.searchParams.get('code')).toBeTruthy();
  });

  it('GET forms submit their fields in the query', async () => {
    const { result } = await login('get-form');
    expect(result?.callbackUrl.searchParams.get('code')).toBeTruthy();
  });

  it('wrong password: login_failed with what the page says, the password nowhere', async () => {
    const { result, report, evidence } = await login('one-step', {}, 'wrong-password-123');
    expect(result).toBeNull();
    expect(report.failures).toEqual({ login_failed: 1 });
    expect(evidence).toContain('login form shown again after the password was sent: Invalid email or password.');
    expect(evidence).not.toContain('wrong-password-123');
  });

  it('field names given in the scenario win over detection', async () => {
    const { result, report } = await login('one-step', { usernameField: 'q' });
    // "q" is not in the login form: the username is not filled, the server answers "invalid".
    expect(result).toBeNull();
    expect(report.failures).toEqual({ login_failed: 1 });
    const ok = await login('one-step', { usernameField: 'em', passwordField: 'pw', consentButton: 'Allow access' });
    expect(ok.result?.callbackUrl.searchParams.get('code')).toBeTruthy();
  });

  it('a consent button that is not there: login_unsupported naming the consent form fields', async () => {
    const { result, report, evidence } = await login('one-step', { consentButton: 'approve-all' });
    expect(result).toBeNull();
    expect(report.failures).toEqual({ login_unsupported: 1 });
    expect(evidence).toContain('title \\"Authorize tiny\\"; forms: form[csrf]');
  });

  it('unknown page: login_unsupported with the title and field names, never field values', async () => {
    const { result, report, evidence } = await login('js-only');
    expect(result).toBeNull();
    expect(report.failures).toEqual({ login_unsupported: 1 });
    expect(evidence).toContain('no login or consent form on the page (title \\"Welcome\\"; forms: #newsletter[email_address])');
    expect(evidence).not.toContain('prefilled-secret');
  });

  it('a page asking for a new password is not taken for a login', async () => {
    const { report, evidence } = await login('two-passwords');
    expect(report.failures).toEqual({ login_failed: 1 });
    expect(evidence).toContain('the IdP asks for a new password');
  });

  it('never follows a redirect off this machine', async () => {
    const { result, report, evidence } = await login('offsite');
    expect(result).toBeNull();
    expect(report.failures).toEqual({ bad_response: 1 });
    expect(evidence).toContain('non-loopback host example.com not followed');
  });

  it('does not parse a page over 2 MiB (the HTTP layer stops reading at the page cap)', async () => {
    const { result, report, evidence } = await login('huge');
    expect(result).toBeNull();
    expect(report.failures).toEqual({ bad_response: 1 });
    expect(evidence).toContain('body over 2097152 bytes');
  });

  it('an HTTP error page is classified from its words', async () => {
    // The API flow's authorize page has no form; posting its "login" without a session → 400 page.
    const recorder = new Recorder({ now: () => 0 });
    const session = new FlowSession(http, recorder);
    const result = await createFormLogin().run(session, target(), new URL('/login', idp.origin));
    expect(result).toBeNull();
    expect(recorder.finish().failureEvidence).toEqual([
      { failureClass: 'bad_response', endpoint: 'authorize', status: 400, description: 'form: HTTP 400 page: Error: no session cookie' },
    ]);
  });
});

describe('oidc-provider driver on a login page it does not know', () => {
  it('login_unsupported naming the forms found and the drivers that fit, not an empty bad_response', async () => {
    const recorder = new Recorder({ now: () => 0 });
    const result = await oidcProviderLogin.run(new FlowSession(http, recorder), target(), idp.authorizeUrl('one-step'));
    expect(result).toBeNull();
    expect(recorder.finish().failureEvidence).toEqual([
      {
        failureClass: 'login_unsupported',
        endpoint: 'authorize',
        status: 200,
        description:
          'not an oidc-provider interaction (set target.login.driver to form or keycloak): title "Sign in"; forms: #login[csrf, em, pw, remember] #search[q]',
      },
    ]);
  });
});
