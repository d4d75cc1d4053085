/**
 * The headless login against the embedded IdP's devInteractions, written out step by step so the
 * tests can assert each request's status, Location form and cookies. One CookieJar per flow.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from 'tough-cookie';
import { request } from 'undici';
import { ERROR_DETAIL_HEADER } from '../../../src/idp/error-details.ts';

/** A fresh RFC 7636 pair: 32 random bytes → 43-char verifier, S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Step {
  method: string;
  /** Path of the request URL (no query). */
  path: string;
  status: number;
  location: string | undefined;
  /** `name; path=…` of each Set-Cookie, values dropped. */
  cookies: string[];
}

/** One user agent: a cookie jar and a log of steps. */
export class Browser {
  readonly jar = new CookieJar();
  readonly steps: Step[] = [];

  async send(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await request(url, { method, headers, body });
    const text = await res.body.text();
    const raw = res.headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    for (const c of setCookies) await this.jar.setCookie(c, url);
    const location = res.headers.location === undefined ? undefined : String(res.headers.location);
    this.steps.push({
      method,
      path: new URL(url).pathname,
      status: res.statusCode,
      location,
      cookies: setCookies.map((c) => {
        const name = c.slice(0, c.indexOf('='));
        const path = /;\s*path=([^;]*)/i.exec(c)?.[1] ?? '';
        return `${name}; path=${path}`;
      }),
    });
    const detailHeader = res.headers[ERROR_DETAIL_HEADER];
    return { status: res.statusCode, location, text, detail: detailHeader === undefined ? undefined : String(detailHeader) };
  }
}

export interface AuthorizeOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  challenge?: string;
  method?: string;
  state?: string;
  login?: string;
  scope?: string;
  /** Extra authorization parameters, e.g. `{ prompt: 'consent' }` for offline_access. */
  extra?: Record<string, string>;
}

/** The authorization request URL. */
export function authorizeUrl(o: AuthorizeOptions): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid',
    state: o.state ?? randomBytes(8).toString('hex'),
  });
  if (o.challenge !== undefined) q.set('code_challenge', o.challenge);
  if (o.method !== undefined) q.set('code_challenge_method', o.method);
  for (const [k, v] of Object.entries(o.extra ?? {})) q.set(k, v);
  return `${o.issuer}/auth?${q}`;
}

/**
 * The six-step devInteractions login (PKCE.md). Returns the callback URL (never followed) and the
 * steps. Throws when a step answers something unexpected.
 */
export async function login(o: AuthorizeOptions, browser = new Browser()): Promise<{ callback: URL; browser: Browser }> {
  const abs = (location: string | undefined): string => {
    if (location === undefined) throw new Error(`expected a redirect, got ${JSON.stringify(browser.steps.at(-1))}`);
    return new URL(location, o.issuer).href;
  };
  const s1 = await browser.send('GET', authorizeUrl(o));
  const interaction1 = abs(s1.location);
  const s2 = await browser.send('POST', interaction1, { prompt: 'login', login: o.login ?? 'alice', password: 'any' });
  const s3 = await browser.send('GET', abs(s2.location));
  const interaction2 = abs(s3.location);
  const s4 = await browser.send('POST', interaction2, { prompt: 'consent' });
  const s5 = await browser.send('GET', abs(s4.location));
  return { callback: new URL(abs(s5.location)), browser };
}

/** Logs in and returns the code from the callback. */
export async function obtainCode(o: AuthorizeOptions): Promise<string> {
  const { callback } = await login(o);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in callback (error=${callback.searchParams.get('error')})`);
  return code;
}

export interface ExchangeResult {
  status: number;
  json: Record<string, unknown>;
  detail: string | undefined;
}

/** POST /token with exactly the given form fields. */
export async function exchange(issuer: string, form: Record<string, string | undefined>): Promise<ExchangeResult> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  const res = await request(`${issuer}/token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  const json = (await res.body.json()) as Record<string, unknown>;
  const detail = res.headers[ERROR_DETAIL_HEADER];
  return { status: res.statusCode, json, detail: detail === undefined ? undefined : String(detail) };
}
