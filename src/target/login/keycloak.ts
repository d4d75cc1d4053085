/**
 * The Keycloak login driver: the form driver with Keycloak's form ids (`kc-form-login`, the
 * consent form's `accept` button) and Keycloak's pages read for what they say. The keycloak.v2
 * theme names its template in `<body data-page-id="login-…">`; the older theme is recognised by
 * its form ids. A page that stops the login (invalid credentials, account disabled, a required
 * action such as update-password or OTP set-up, an expired login session) is `login_failed` with
 * what the page itself says, never a guess.
 */
import type { LoginDriver } from '../../flow/login-driver.ts';
import { createFormLogin, type FormLoginOptions, type LoginProgress, type PageVerdict } from './form.ts';
import { describePage, type HtmlPage } from './html-page.ts';

/** Keycloak templates (keycloak.v2 `data-page-id` minus `login-`) that are required actions. */
const REQUIRED_ACTIONS: Readonly<Record<string, string>> = {
  'login-update-password': 'update password',
  'login-config-totp': 'configure OTP',
  'login-update-profile': 'update profile',
  'update-user-profile': 'update profile',
  'login-verify-email': 'verify email',
  'webauthn-register': 'register a security key',
  'terms': 'accept terms and conditions',
};

/** Second factors asked at every login: the test user cannot log in headlessly. */
const SECOND_FACTORS: Readonly<Record<string, string>> = {
  'login-otp': 'an OTP code',
  'webauthn-authenticate': 'a security key',
  'login-recovery-authn-code-input': 'a recovery code',
};

/** Same pages in the older (keycloak v1) theme, which has no data-page-id: by form id. */
const FORM_IDS: Readonly<Record<string, string>> = {
  'kc-passwd-update-form': 'login-update-password',
  'kc-totp-settings-form': 'login-config-totp',
  'kc-update-profile-form': 'login-update-profile',
  'kc-otp-login-form': 'login-otp',
  'kc-form-login': 'login',
};

/**
 * The Keycloak template of a page (`login`, `login-update-password`, `error`, …), or undefined when
 * it is not a Keycloak page.
 *
 * @example
 * keycloakTemplate(parsePage('<body data-page-id="login-login-otp">', url)); // 'login-otp'
 */
export function keycloakTemplate(page: HtmlPage): string | undefined {
  if (page.pageId?.startsWith('login-')) return page.pageId.slice('login-'.length);
  for (const f of page.forms) {
    const t = f.id === undefined ? undefined : FORM_IDS[f.id];
    if (t) return t;
  }
  return undefined;
}

const said = (page: HtmlPage): string => (page.messages.length > 0 ? page.messages.join(' / ') : page.text.slice(0, 160));

/**
 * Reads a Keycloak page: a verdict when it ends the login, null to let the form driver go on.
 *
 * @example
 * judgeKeycloakPage(page, { usernameSent: true, passwordSent: true, consentSent: 0 }, 200);
 * // { failureClass: 'login_failed', description: 'invalid credentials: Invalid username or password.' }
 */
export function judgeKeycloakPage(page: HtmlPage, progress: LoginProgress, _status: number): PageVerdict | null {
  const template = keycloakTemplate(page);
  if (template === undefined) return null;
  const action = REQUIRED_ACTIONS[template];
  if (action) {
    return { failureClass: 'login_failed', description: `required action "${action}" for this user (page ${template}): complete it once in Keycloak or use another test user` };
  }
  const factor = SECOND_FACTORS[template];
  if (factor) return { failureClass: 'login_failed', description: `the login asks for ${factor} (page ${template}): use a user without a second factor or the script driver` };
  const text = said(page);
  const expired = /timed out|expired|cookie not found/i;
  const onLoginPage = template === 'login' && !progress.passwordSent && expired.test(page.messages.join(' '));
  if (template === 'login-page-expired' || onLoginPage || ((template === 'error' || template === 'info') && expired.test(text))) {
    return { failureClass: 'login_failed', description: `login session expired (page ${template}): ${text}` };
  }
  if (template === 'error' || template === 'info') {
    if (/redirect_uri|redirect uri/i.test(text)) return { failureClass: 'redirect_uri_mismatch', description: `Keycloak error page: ${text}` };
    if (/client not found|invalid client|client.*disabled/i.test(text)) return { failureClass: 'invalid_client', description: `Keycloak error page: ${text}` };
    if (/code_challenge|pkce/i.test(text)) return { failureClass: 'pkce_method_rejected', description: `Keycloak error page: ${text}` };
    return { failureClass: 'login_failed', description: `Keycloak error page: ${text}` };
  }
  if (template === 'login' && progress.passwordSent) {
    if (/disabled/i.test(text)) return { failureClass: 'login_failed', description: `account disabled: ${text}` };
    if (/locked|temporarily/i.test(text)) return { failureClass: 'login_failed', description: `account locked: ${text}` };
    if (/invalid (username|password|email|credentials)/i.test(text)) return { failureClass: 'login_failed', description: `invalid credentials: ${text}` };
    return { failureClass: 'login_failed', description: `login form shown again after the password: ${text || describePage(page)}` };
  }
  return null;
}

/**
 * Creates the Keycloak driver; scenario overrides (field names, consent button) still apply.
 *
 * @example
 * const login = createKeycloakLogin();
 */
export function createKeycloakLogin(options: Omit<FormLoginOptions, 'name' | 'judgePage' | 'loginFormIds'> = {}): LoginDriver {
  return createFormLogin({
    consentButton: 'accept',
    ...options,
    name: 'keycloak',
    loginFormIds: ['kc-form-login'],
    judgePage: judgeKeycloakPage,
  });
}
