/**
 * The Keycloak driver's reading of Keycloak's own pages, offline: the pages in
 * fixtures/keycloak-26.7.3/ were captured from a real Keycloak 26.7.3 (keycloak.v2 theme) started
 * by scripts/ci/keycloak.sh (the TOTP secret and QR code replaced by placeholders). The same
 * classifications are proven live in test/integration/keycloak/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePage, parsePage } from '../../../src/target/login/html-page.ts';
import { judgeKeycloakPage, keycloakTemplate } from '../../../src/target/login/keycloak.ts';

const URL_BASE = new URL('http://127.0.0.1:8080/realms/tokenstorm/protocol/openid-connect/auth');
const page = (name: string) => parsePage(readFileSync(join(import.meta.dirname, 'fixtures', 'keycloak-26.7.3', `${name}.html`), 'utf8'), URL_BASE);
const before = { usernameSent: false, passwordSent: false, consentSent: 0 };
const after = { usernameSent: true, passwordSent: true, consentSent: 0 };

describe('Keycloak pages', () => {
  it('the login page: kc-form-login with its fields and decoded action, no verdict before the password', () => {
    const p = page('login');
    expect(keycloakTemplate(p)).toBe('login');
    expect(p.title).toBe('Sign in to tokenstorm');
    const form = p.forms.find((f) => f.id === 'kc-form-login')!;
    expect(form.method).toBe('POST');
    expect(form.action.pathname).toBe('/realms/tokenstorm/login-actions/authenticate');
    expect(form.action.searchParams.get('client_id')).toBe('tokenstorm-public');
    expect(form.fields.map((f) => [f.name, f.type, f.autocomplete])).toEqual([
      ['username', 'text', 'username'],
      ['password', 'password', 'current-password'],
      ['credentialId', 'hidden', undefined],
    ]);
    expect(form.submits.map((b) => b.name)).toEqual(['login']);
    expect(judgeKeycloakPage(p, before, 200)).toBeNull();
    expect(describePage(p)).toBe('title "Sign in to tokenstorm"; forms: #kc-form-login[username, password, credentialId]');
  });

  it('invalid credentials and a disabled account, from the message on the login page', () => {
    expect(judgeKeycloakPage(page('invalid-credentials'), after, 200)).toEqual({
      failureClass: 'login_failed',
      description: 'invalid credentials: Invalid username or password.',
    });
    expect(judgeKeycloakPage(page('account-disabled'), after, 200)).toEqual({
      failureClass: 'login_failed',
      description: 'account disabled: Account is disabled, contact your administrator.',
    });
  });

  it('required actions by template', () => {
    expect(judgeKeycloakPage(page('update-password'), after, 200)?.description).toMatch(/^required action "update password" for this user \(page login-update-password\)/);
    expect(judgeKeycloakPage(page('configure-totp'), after, 200)?.description).toMatch(/^required action "configure OTP"/);
  });

  it('the consent page is left to the form driver (accept button)', () => {
    const p = page('consent');
    expect(keycloakTemplate(p)).toBe('login-oauth-grant');
    expect(judgeKeycloakPage(p, after, 200)).toBeNull();
    expect(p.forms[0]?.submits.map((b) => b.name)).toEqual(['accept', 'cancel']);
  });

  it('error pages: an expired login session, an unregistered redirect_uri', () => {
    expect(judgeKeycloakPage(page('error-cookie-not-found'), after, 400)).toEqual({
      failureClass: 'login_failed',
      description: expect.stringMatching(/^login session expired \(page error\): .*cookie not found/i),
    });
    expect(judgeKeycloakPage(page('error-redirect-uri'), before, 400)).toEqual({
      failureClass: 'redirect_uri_mismatch',
      description: 'Keycloak error page: Invalid parameter: redirect_uri',
    });
  });
});
