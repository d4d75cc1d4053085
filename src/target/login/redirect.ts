/**
 * What every login driver decides about a redirect: is it the authorization response (the
 * registered redirect_uri), may it be followed (loopback only), and how many hops are too many.
 */
import { isLoopbackHost } from '../../chaos/toxiproxy/address.ts';

/** Statuses whose Location a browser follows. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Requests one login may make before it counts as a loop (Keycloak with consent and a required action needs ~8). */
export const MAX_LOGIN_HOPS = 20;

// Every hop of every flow compares against the same redirect_uri: parse it once, not per hop.
let parsedRedirect: { raw: string; origin: string; pathname: string } | null = null;

/**
 * True when `url` is the authorization response: exactly the registered redirect_uri (origin and
 * path), not a prefix of it.
 *
 * @example
 * isRedirectUri(new URL('http://127.0.0.1/callback?code=x'), 'http://127.0.0.1/callback'); // true
 */
export function isRedirectUri(url: URL, redirectUri: string): boolean {
  if (parsedRedirect?.raw !== redirectUri) {
    const r = new URL(redirectUri);
    parsedRedirect = { raw: redirectUri, origin: r.origin, pathname: r.pathname };
  }
  return url.origin === parsedRedirect.origin && url.pathname === parsedRedirect.pathname;
}

/**
 * Why a redirect must not be followed (load stays on this machine), or null when it may be.
 *
 * @example
 * followProblem(new URL('https://example.com/')); // 'redirect to a non-loopback host example.com not followed'
 */
export function followProblem(url: URL): string | null {
  return isLoopbackHost(url.hostname) ? null : `redirect to a non-loopback host ${url.hostname} not followed`;
}
