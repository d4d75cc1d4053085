/**
 * The login driver for oidc-provider's devInteractions (the embedded IdP; shared/PKCE.md "Headless
 * login"): POST the login form, then the consent form, following 303s by hand. The interaction
 * pages themselves are not fetched (their forms are fixed), which is what a scripted browser with a
 * remembered form would send.
 */
import { statusEvidence } from '../../flow/classify.ts';
import { headerValue, type HttpResponse } from '../../flow/http.ts';
import type { LoginDriver } from '../../flow/login-driver.ts';
import type { FlowSession } from '../../flow/session.ts';
import type { FlowTarget } from '../../flow/target.ts';
import type { EndpointClass } from '../../report/schema.ts';
import { describePage, MAX_PAGE_BYTES, parsePage } from './html-page.ts';
import { followProblem, isRedirectUri, REDIRECT_STATUSES } from './redirect.ts';

const ACCEPT_HTML: Readonly<Record<string, string>> = Object.freeze({ accept: 'text/html' });
const CONSENT_FORM = new URLSearchParams({ prompt: 'consent' }).toString();
// The login form depends only on the target's user: encoded once, not per flow (re-encoded if the
// target object is changed in place).
const loginForms = new WeakMap<FlowTarget, { username: string; password: string; form: string }>();

function loginForm(target: FlowTarget): string {
  const { username, password } = target;
  let c = loginForms.get(target);
  if (!c || c.username !== username || c.password !== password) {
    c = { username, password, form: new URLSearchParams({ prompt: 'login', login: username, password }).toString() };
    loginForms.set(target, c);
  }
  return c.form;
}
// authorize → login → resume → consent → resume → callback is 5 hops; anything far beyond is a loop.
const MAX_HOPS = 10;

/**
 * oidc-provider's devInteractions driver (the default for the embedded IdP).
 *
 * @example
 * const ctx: FlowContext = { ...rest, login: oidcProviderLogin };
 */
export const oidcProviderLogin: LoginDriver = {
  name: 'oidc-provider',
  async run(session, target, authorizeUrl) {
    let endpoint: EndpointClass = 'authorize';
    let res = await session.send('authorize', { method: 'GET', url: authorizeUrl, headers: ACCEPT_HTML });
    let url = authorizeUrl;
    let loggedIn = false;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (!res) return null;
      const location = headerValue(res.headers, 'location');
      if (!REDIRECT_STATUSES.has(res.status) || !location) {
        session.record(endpoint, res, false);
        recordUnexpected(session, endpoint, res, url);
        return null;
      }
      const next = new URL(location, url);
      if (isRedirectUri(next, target.redirectUri)) {
        // The response that carried the authorization response is the callback exchange, unless it
        // came straight from the authorize request (an error redirect).
        const cls: EndpointClass = endpoint === 'authorize' ? 'authorize' : 'callback';
        session.record(cls, res, true);
        return { callbackUrl: next, endpoint: cls };
      }
      const problem = followProblem(next);
      if (problem) {
        // Load stays on this machine: a redirect elsewhere is recorded, never followed.
        session.record(endpoint, res, false);
        session.recordFailure(statusEvidence(endpoint, res.status, 'bad_response', problem));
        return null;
      }
      session.record(endpoint, res, true);
      url = next;
      if (next.pathname.includes('/interaction/')) {
        const form = loggedIn ? CONSENT_FORM : loginForm(target);
        endpoint = loggedIn ? 'consent' : 'login';
        loggedIn = true;
        res = await session.send(endpoint, { method: 'POST', url: next, form, headers: ACCEPT_HTML });
      } else {
        // Resuming the authorization after an interaction keeps the interaction's class until it
        // turns out to be the one that answers with the code.
        res = await session.send(endpoint, { method: 'GET', url: next, headers: ACCEPT_HTML });
      }
    }
    session.recordFailure(statusEvidence(endpoint, 0, 'login_failed', `more than ${MAX_HOPS} redirects`));
    return null;
  },
};

function recordUnexpected(session: FlowSession, endpoint: EndpointClass, res: HttpResponse, url: URL): void {
  if (res.status === 200 && res.body.length <= MAX_PAGE_BYTES) {
    // A login page of another IdP (a form at /auth answering 200): say what was found and which
    // driver fits, instead of an empty bad_response.
    const page = parsePage(res.body, url);
    if (page.forms.length > 0) {
      session.recordFailure(
        statusEvidence(endpoint, 200, 'login_unsupported', `not an oidc-provider interaction (set target.login.driver to form or keycloak): ${describePage(page)}`),
      );
      return;
    }
  }
  // oidc-provider renders some authorization errors as a 400 page instead of redirecting (bad
  // redirect_uri or client, which must not be redirected to); keep what the page says.
  const text = res.body.length <= MAX_PAGE_BYTES ? pageText(res.body, url) : `page over ${MAX_PAGE_BYTES} bytes not read`;
  let cls: 'login_failed' | 'redirect_uri_mismatch' | 'invalid_client' | 'invalid_request' | 'bad_response' =
    endpoint === 'login' || endpoint === 'consent' ? 'login_failed' : 'bad_response';
  if (/redirect_uri/i.test(text)) cls = 'redirect_uri_mismatch';
  else if (/invalid_client|client is invalid/i.test(text)) cls = 'invalid_client';
  else if (/invalid_request/i.test(text)) cls = 'invalid_request';
  session.recordFailure(statusEvidence(endpoint, res.status, cls, text.slice(0, 200)));
}

/** The page's text (title, then messages, then the visible rest), for error evidence. */
function pageText(body: string, url: URL): string {
  const page = parsePage(body, url);
  return [page.title, ...page.messages, page.text].filter((s) => s !== '').join(': ');
}
