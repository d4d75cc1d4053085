/**
 * Login drivers take a flow from the authorization request to the authorization response (the
 * redirect to redirect_uri), whatever the IdP's login pages look like. The first driver speaks
 * oidc-provider's devInteractions (shared/PKCE.md "Headless login"); Keycloak and generic-form
 * drivers plug in here later.
 */
import { isLoopbackHost } from '../loopback.ts';
import type { EndpointClass } from '../report/schema.ts';
import { statusEvidence } from './classify.ts';
import { headerValue, type HttpResponse } from './http.ts';
import type { FlowSession } from './session.ts';
import type { FlowTarget } from './target.ts';

/** Where the login ended: the authorization response URL and the endpoint class that produced it. */
export interface LoginResult {
  callbackUrl: URL;
  endpoint: EndpointClass;
}

/** A login driver. Returns null when the flow failed (already recorded with its class). */
export interface LoginDriver {
  readonly name: string;
  run(session: FlowSession, target: FlowTarget, authorizeUrl: URL): Promise<LoginResult | null>;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
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
 * oidc-provider devInteractions: POST the login form, then the consent form, following 303s by
 * hand. The interaction pages themselves are not fetched (their forms are fixed), which is what a
 * scripted browser with a remembered form would send.
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
      if (!REDIRECT.has(res.status) || !location) {
        session.record(endpoint, res, false);
        recordUnexpected(session, endpoint, res);
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
      if (!isLoopbackHost(next.hostname)) {
        // Load stays on this machine: a redirect elsewhere is recorded, never followed.
        session.record(endpoint, res, false);
        session.recordFailure(statusEvidence(endpoint, res.status, 'bad_response', `redirect to a non-loopback host ${next.hostname} not followed`));
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

/** The authorization response goes to exactly the registered redirect_uri (origin and path), not a prefix of it. */
// Every hop of every flow compares against the same redirect_uri: parse it once, not per hop.
let parsedRedirect: { raw: string; origin: string; pathname: string } | null = null;

function isRedirectUri(url: URL, redirectUri: string): boolean {
  if (parsedRedirect?.raw !== redirectUri) {
    const r = new URL(redirectUri);
    parsedRedirect = { raw: redirectUri, origin: r.origin, pathname: r.pathname };
  }
  return url.origin === parsedRedirect.origin && url.pathname === parsedRedirect.pathname;
}

function recordUnexpected(session: FlowSession, endpoint: EndpointClass, res: HttpResponse): void {
  // oidc-provider renders some authorization errors as a 400 page instead of redirecting (bad
  // redirect_uri or client, which must not be redirected to); keep what the page says.
  const text = res.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  let cls: 'login_failed' | 'redirect_uri_mismatch' | 'invalid_client' | 'invalid_request' | 'bad_response' =
    endpoint === 'login' || endpoint === 'consent' ? 'login_failed' : 'bad_response';
  if (/redirect_uri/i.test(text)) cls = 'redirect_uri_mismatch';
  else if (/invalid_client|client is invalid/i.test(text)) cls = 'invalid_client';
  else if (/invalid_request/i.test(text)) cls = 'invalid_request';
  session.recordFailure(statusEvidence(endpoint, res.status, cls, text.slice(0, 200)));
}
