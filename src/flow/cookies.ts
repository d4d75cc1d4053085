/**
 * One flow's cookies: tough-cookie parses and matches (Cookie.parse, domainMatch, pathMatch,
 * defaultPath, cookieCompare), and a Map of this flow's few cookies stores them. tough-cookie's
 * CookieJar did the same through its callback-and-promise store API, which cost 8 µs per stored
 * cookie and 14 µs per lookup: 17 % of the harness's CPU at 200 flows/s against the embedded IdP
 * (16 Set-Cookie headers per flow; cpu profile, bench memory). A flow's jar never outlives the
 * flow and is never shared, so it needs no store abstraction, public-suffix list or persistence.
 *
 * The rules are RFC 6265's, as the jar applied them with the options the harness used (loose
 * parsing, no public-suffix check, Secure cookies kept and sent on loopback, prefix rules silent):
 * a Domain attribute must domain-match the request host, a missing or relative Path defaults to
 * the request's directory, a replaced cookie keeps its creation time, expired cookies are evicted,
 * and the Cookie header lists longer paths first, then older cookies.
 */
import { Cookie, cookieCompare, canonicalDomain, defaultPath, domainMatch, pathMatch } from 'tough-cookie';
import { isLoopbackHost } from '../loopback.ts';

/**
 * When the cookie ends, epoch ms: Max-Age wins over Expires (RFC 6265 §5.3 step 3), no attribute
 * means a session cookie. Cookie#expiryTime computes the same but compares its Date with the
 * string "Infinity", which formats the date through ICU on every call: a quarter of the cost of
 * storing a cookie.
 */
function expiresAt(c: Cookie, nowMs: number): number {
  if (c.maxAge != null) {
    if (c.maxAge === 'Infinity') return Number.POSITIVE_INFINITY;
    return typeof c.maxAge === 'number' && c.maxAge > 0 ? nowMs + c.maxAge * 1000 : Number.NEGATIVE_INFINITY;
  }
  return c.expires instanceof Date ? c.expires.getTime() : Number.POSITIVE_INFINITY;
}

interface Stored {
  cookie: Cookie;
  /** Epoch ms after which the cookie is gone (Infinity for a session cookie). */
  expiresAtMs: number;
}

/** A request's host and path as RFC 6265 matches them. */
function contextOf(url: URL): { host: string; path: string; trustworthy: boolean } {
  let path = url.pathname;
  try {
    path = decodeURI(path);
  } catch {
    // A malformed escape: match on the path as sent, as the jar did.
  }
  return {
    host: canonicalDomain(url.hostname) ?? url.hostname,
    path: path || '/',
    // Secure cookies go to https and, as browsers do, to loopback over http (IdPs such as
    // Keycloak mark cookies Secure even on http://localhost).
    trustworthy: url.protocol === 'https:' || isLoopbackHost(url.hostname),
  };
}

/**
 * A flow's cookie jar.
 *
 * @example
 * const jar = new FlowCookies();
 * jar.store('sid=1; Path=/', new URL('http://127.0.0.1:3000/login'));
 * jar.header(new URL('http://127.0.0.1:3000/auth')); // 'sid=1'
 */
export class FlowCookies {
  private readonly byKey = new Map<string, Stored>();
  /** The last URL's context: a response's Set-Cookie headers all come from one URL (by href: a URL object can change). */
  private lastHref = '';
  private lastCtx: ReturnType<typeof contextOf> | null = null;

  private context(url: URL): ReturnType<typeof contextOf> {
    const href = url.href;
    if (href !== this.lastHref || this.lastCtx === null) {
      this.lastHref = href;
      this.lastCtx = contextOf(url);
    }
    return this.lastCtx;
  }

  /** Cookies held now (expired ones included until a lookup evicts them). */
  get size(): number {
    return this.byKey.size;
  }

  /**
   * Stores one Set-Cookie header value received from `url`; returns the cookie, or null when it
   * was refused (unparseable, a Domain the host is not in, a broken __Secure-/__Host- prefix, a
   * Secure cookie over plain http to a non-loopback host).
   */
  store(setCookie: string, url: URL, nowMs: number = Date.now()): Cookie | null {
    let c: Cookie | undefined;
    try {
      c = Cookie.parse(setCookie, { loose: true });
    } catch {
      // A header from a hostile target is never worth a failed flow: the cookie is refused.
      return null;
    }
    if (!c) return null;
    const ctx = this.context(url);
    if (c.domain) {
      const cdomain = c.cdomain();
      if (!domainMatch(ctx.host, cdomain ?? undefined, false)) return null;
      c.hostOnly = false;
      c.domain = cdomain ?? c.domain;
    } else {
      c.hostOnly = true;
      c.domain = ctx.host;
    }
    if (!c.path?.startsWith('/')) {
      c.path = defaultPath(ctx.path);
      c.pathIsDefault = true;
    }
    if (c.secure && !ctx.trustworthy) return null;
    if (c.key.startsWith('__Secure-') && !c.secure) return null;
    if (c.key.startsWith('__Host-') && !(c.secure && c.hostOnly && c.path === '/' && !c.pathIsDefault)) return null;
    const id = `${c.domain}\n${c.path}\n${c.key}`;
    const expiresAtMs = expiresAt(c, nowMs);
    const old = this.byKey.get(id);
    if (old) {
      // RFC 6265 §5.3 step 11: the replacement keeps the old cookie's creation time (the order it is sent in).
      c.creation = old.cookie.creation;
      c.creationIndex = old.cookie.creationIndex;
    }
    if (expiresAtMs <= nowMs) {
      // An expiry in the past is how a server deletes a cookie.
      this.byKey.delete(id);
      return c;
    }
    this.byKey.set(id, { cookie: c, expiresAtMs });
    return c;
  }

  /** The cookies to send to `url`, in Cookie-header order (expired ones are evicted on the way). */
  matching(url: URL, nowMs: number = Date.now()): Cookie[] {
    if (this.byKey.size === 0) return [];
    const ctx = this.context(url);
    const out: Cookie[] = [];
    for (const [id, s] of this.byKey) {
      if (s.expiresAtMs <= nowMs) {
        this.byKey.delete(id);
        continue;
      }
      const c = s.cookie;
      if (c.hostOnly ? c.domain !== ctx.host : !domainMatch(ctx.host, c.domain ?? undefined, false)) continue;
      if (typeof c.path === 'string' && !pathMatch(ctx.path, c.path)) continue;
      if (c.secure && !ctx.trustworthy) continue;
      out.push(c);
    }
    return out.length > 1 ? out.sort(cookieCompare) : out;
  }

  /** The Cookie header value for `url`, or '' when no cookie matches. */
  header(url: URL, nowMs: number = Date.now()): string {
    const cs = this.matching(url, nowMs);
    if (cs.length === 0) return '';
    let out = cs[0]!.cookieString();
    for (let i = 1; i < cs.length; i++) out += `; ${cs[i]!.cookieString()}`;
    return out;
  }
}
