/**
 * The generic HTML-form login driver: what a person does in a browser, without JavaScript. Fetch
 * the authorization request, and on every page answered with 200: fill the login form (the one
 * with a password input; or, in a multi-step login, the username-only form first), or press the
 * consent button, carrying every hidden input (CSRF tokens) and the flow's cookie jar; follow
 * redirects by hand until the redirect to redirect_uri. A page it cannot drive is
 * `login_unsupported` with the page title and its form field names (never values).
 */
import { statusEvidence } from '../../flow/classify.ts';
import { headerValue, type HttpResponse } from '../../flow/http.ts';
import type { LoginDriver, LoginResult } from '../../flow/login-driver.ts';
import type { FlowSession } from '../../flow/session.ts';
import type { FlowTarget } from '../../flow/target.ts';
import type { EndpointClass, FailureClass } from '../../report/schema.ts';
import { describePage, type FormField, type HtmlForm, type HtmlPage, MAX_PAGE_BYTES, parsePage, type SubmitButton } from './html-page.ts';
import { followProblem, isRedirectUri, MAX_LOGIN_HOPS, REDIRECT_STATUSES } from './redirect.ts';

/** A failure an IdP-specific reading of a page found. */
export interface PageVerdict {
  failureClass: FailureClass;
  description: string;
}

/** What the flow has done so far, for page judges. */
export interface LoginProgress {
  usernameSent: boolean;
  passwordSent: boolean;
  consentSent: number;
}

/** Options of the form driver (scenario `target.login`, plus what an IdP-specific driver adds). */
export interface FormLoginOptions {
  /** Name of the username input, when detection by type/name/autocomplete picks the wrong one. */
  usernameField?: string;
  /** Name of the password input. */
  passwordField?: string;
  /** The consent button to press: its name, id, value or label (case-insensitive). */
  consentButton?: string;
  /** Driver name shown in evidence. Default 'form'. */
  name?: string;
  /** Form ids tried first as the login form. */
  loginFormIds?: readonly string[];
  /** IdP-specific reading of a page before the generic one; a verdict ends the flow. */
  judgePage?: (page: HtmlPage, progress: LoginProgress, status: number) => PageVerdict | null;
}

const ACCEPT_HTML: Readonly<Record<string, string>> = Object.freeze({ accept: 'text/html' });
const CONSENT_WORDS = /^(allow|accept|approve|consent|grant|authori[sz]e|yes|continue|agree)\b/i;
const REFUSE_WORDS = /deny|cancel|reject|decline|refuse|^no\b/i;
const USERNAME_HINT = /user|login|e-?mail|identifier|account/i;
const USERNAME_STEP_HINT = /user|login|identifier/i;
const TEXT_TYPES = new Set(['text', 'email', 'tel']);

/** The password input of a form (by name when given), or undefined. */
function passwordFieldOf(form: HtmlForm, name: string | undefined): FormField | undefined {
  if (name !== undefined) return form.fields.find((f) => f.name === name);
  return form.fields.find((f) => f.type === 'password');
}

/**
 * The username input: by name when given; else by autocomplete/type/name/id; else, beside a
 * password, the first text input. Without a password beside it (the first page of a multi-step
 * login) only an explicit sign is taken: autocomplete=username, or a name/id saying user, login or
 * identifier — a newsletter's email box is not a login.
 */
function usernameFieldOf(form: HtmlForm, name: string | undefined, besidePassword: boolean): FormField | undefined {
  if (name !== undefined) return form.fields.find((f) => f.name === name);
  const visible = form.fields.filter((f) => TEXT_TYPES.has(f.type));
  if (!besidePassword) {
    return visible.find((f) => f.autocomplete === 'username' || USERNAME_STEP_HINT.test(f.name) || USERNAME_STEP_HINT.test(f.id ?? ''));
  }
  return (
    visible.find((f) => f.autocomplete === 'username' || f.autocomplete === 'email' || f.type === 'email') ??
    visible.find((f) => USERNAME_HINT.test(f.name) || USERNAME_HINT.test(f.id ?? '')) ??
    visible[0]
  );
}

function matchesButton(b: SubmitButton, want: string): boolean {
  const w = want.toLowerCase();
  return [b.name, b.id, b.value, b.label].some((s) => s !== undefined && s.toLowerCase() === w);
}

function consentButtonOf(form: HtmlForm, want: string | undefined): SubmitButton | undefined {
  if (want !== undefined) return form.submits.find((b) => matchesButton(b, want));
  return form.submits.find((b) => {
    const words = [b.label, b.value, b.name ?? '', b.id ?? ''];
    return words.some((s) => CONSENT_WORDS.test(s)) && !words.some((s) => REFUSE_WORDS.test(s));
  });
}

/** What to do on a page: which form, which values, which button, as which endpoint class. */
interface Action {
  endpoint: 'login' | 'consent';
  form: HtmlForm;
  values: Map<string, string>;
  button: SubmitButton | undefined;
  sends: 'username' | 'password' | 'consent';
}

/** Every field a browser would submit with its current value (unchecked boxes left out). */
function defaults(form: HtmlForm): Map<string, string> {
  const values = new Map<string, string>();
  for (const f of form.fields) {
    if ((f.type === 'checkbox' || f.type === 'radio') && !f.checked) continue;
    if (!values.has(f.name)) values.set(f.name, f.value);
  }
  return values;
}

function chooseAction(page: HtmlPage, o: FormLoginOptions, target: FlowTarget, progress: LoginProgress): Action | PageVerdict | null {
  const preferred = o.loginFormIds ?? [];
  const forms = [...page.forms].sort((a, b) => Number(preferred.includes(b.id ?? '')) - Number(preferred.includes(a.id ?? '')));
  const withPassword = forms.find((f) => passwordFieldOf(f, o.passwordField) !== undefined);
  if (withPassword) {
    if (withPassword.fields.filter((f) => f.type === 'password').length > 1 && o.passwordField === undefined) {
      return { failureClass: 'login_failed', description: `the IdP asks for a new password, not a login (${describePage(page)})` };
    }
    if (progress.passwordSent) {
      const said = page.messages.length > 0 ? `: ${page.messages.join(' / ')}` : '';
      return { failureClass: 'login_failed', description: `login form shown again after the password was sent${said}` };
    }
    const values = defaults(withPassword);
    const user = usernameFieldOf(withPassword, o.usernameField, true);
    // A password page of a multi-step login may carry the username hidden, or not at all.
    if (user && (TEXT_TYPES.has(user.type) || o.usernameField !== undefined)) values.set(user.name, target.username);
    values.set(passwordFieldOf(withPassword, o.passwordField)!.name, target.password);
    return { endpoint: 'login', form: withPassword, values, button: withPassword.submits[0], sends: 'password' };
  }
  for (const f of forms) {
    const button = consentButtonOf(f, o.consentButton);
    if (button && progress.consentSent < 3) return { endpoint: 'consent', form: f, values: defaults(f), button, sends: 'consent' };
  }
  for (const f of forms) {
    const user = usernameFieldOf(f, o.usernameField, false);
    if (!user || progress.usernameSent) continue;
    const values = defaults(f);
    values.set(user.name, target.username);
    return { endpoint: 'login', form: f, values, button: f.submits[0], sends: 'username' };
  }
  return null;
}

function submitRequest(action: Action): { url: URL; method: 'GET' | 'POST'; form?: string } {
  const body = new URLSearchParams();
  for (const [k, v] of action.values) body.append(k, v);
  if (action.button?.name) body.append(action.button.name, action.button.value);
  if (action.form.method === 'POST') return { url: action.form.action, method: 'POST', form: body.toString() };
  // A GET form replaces the action's query with its fields, as a browser does.
  const url = new URL(action.form.action.href);
  url.search = body.toString();
  return { url, method: 'GET' };
}

/** Classes an IdP error page (a 4xx/5xx HTML page) shows by its words. */
function errorPageClass(text: string, endpoint: EndpointClass): FailureClass {
  if (/redirect_uri|redirect uri/i.test(text)) return 'redirect_uri_mismatch';
  if (/invalid_client|client not found|unknown client|client is invalid/i.test(text)) return 'invalid_client';
  if (/invalid_request/i.test(text)) return 'invalid_request';
  return endpoint === 'authorize' ? 'bad_response' : 'login_failed';
}

function pageSummary(page: HtmlPage): string {
  return [page.title, ...page.messages].filter((s) => s !== '').join(': ') || page.text.slice(0, 200);
}

/**
 * Creates a form driver.
 *
 * @example
 * const login = createFormLogin({ usernameField: 'email', consentButton: 'allow' });
 * const ctx: FlowContext = { ...rest, login };
 */
export function createFormLogin(o: FormLoginOptions = {}): LoginDriver {
  const name = o.name ?? 'form';
  return {
    name,
    async run(session, target, authorizeUrl) {
      return drive(session, target, authorizeUrl, o, name);
    },
  };
}

async function drive(session: FlowSession, target: FlowTarget, authorizeUrl: URL, o: FormLoginOptions, name: string): Promise<LoginResult | null> {
  const progress: LoginProgress = { usernameSent: false, passwordSent: false, consentSent: 0 };
  let endpoint: EndpointClass = 'authorize';
  let url = authorizeUrl;
  /** Whether `res` answers a form submission (rather than a GET that followed a redirect). */
  let submitted = false;
  let res: HttpResponse | null = await session.send('authorize', { method: 'GET', url, headers: ACCEPT_HTML });
  const fail = (r: HttpResponse, cls: FailureClass, description: string): null => {
    session.record(endpoint, r, false);
    session.recordFailure(statusEvidence(endpoint, r.status, cls, `${name}: ${description}`));
    return null;
  };
  for (let hop = 0; hop < MAX_LOGIN_HOPS; hop++) {
    if (!res) return null;
    const location = headerValue(res.headers, 'location');
    if (REDIRECT_STATUSES.has(res.status) && location) {
      const next = new URL(location, url);
      if (isRedirectUri(next, target.redirectUri)) {
        // A form submission answered with the authorization response keeps its class (Keycloak's
        // password POST is the login's costly step, not a callback); a redirect followed to get
        // there is the callback exchange; the authorize request's own answer stays authorize.
        const cls: EndpointClass = submitted || endpoint === 'authorize' ? endpoint : 'callback';
        session.record(cls, res, true);
        return { callbackUrl: next, endpoint: cls };
      }
      const problem = followProblem(next);
      if (problem) return fail(res, 'bad_response', problem);
      session.record(endpoint, res, true);
      url = next;
      submitted = false;
      res = await session.send(endpoint, { method: 'GET', url, headers: ACCEPT_HTML });
      continue;
    }
    if (res.body.length > MAX_PAGE_BYTES) return fail(res, 'bad_response', `page over the ${MAX_PAGE_BYTES}-byte limit not parsed`);
    const page = parsePage(res.body, url);
    const verdict = o.judgePage?.(page, progress, res.status);
    if (verdict) return fail(res, verdict.failureClass, verdict.description);
    if (res.status !== 200) return fail(res, errorPageClass(`${pageSummary(page)} ${page.text}`, endpoint), `HTTP ${res.status} page: ${pageSummary(page)}`);
    const action = chooseAction(page, o, target, progress);
    if (action === null) return fail(res, 'login_unsupported', `no login or consent form on the page (${describePage(page)})`);
    if (!('form' in action)) return fail(res, action.failureClass, action.description);
    session.record(endpoint, res, true);
    if (action.sends === 'password') progress.passwordSent = true;
    else if (action.sends === 'username') progress.usernameSent = true;
    else progress.consentSent++;
    endpoint = action.endpoint;
    const req = submitRequest(action);
    const problem = followProblem(req.url);
    if (problem) {
      session.recordFailure(statusEvidence(endpoint, 0, 'bad_response', `${name}: form action: ${problem}`));
      return null;
    }
    url = req.url;
    submitted = true;
    res = await session.send(endpoint, { method: req.method, url: req.url, headers: ACCEPT_HTML, ...(req.form === undefined ? {} : { form: req.form }) });
  }
  session.recordFailure(statusEvidence(endpoint, 0, 'login_failed', `${name}: more than ${MAX_LOGIN_HOPS} requests without reaching redirect_uri`));
  return null;
}
