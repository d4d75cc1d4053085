// Stand-in for `k6/http` (see README.md here): get/post with k6's Params subset the script uses.
import { CookieJar as ToughJar } from 'tough-cookie';
import { syncRequest } from './sync-http.ts';

export class CookieJar {
  readonly jar = new ToughJar();
}

const K6_ERROR: Record<string, number> = { ECONNREFUSED: 1212, ECONNRESET: 1220, ETIMEDOUT: 1050 };

interface Params {
  redirects?: number;
  jar?: CookieJar;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string;
}

function request(method: string, url: string, body: Record<string, string> | string | null, params: Params = {}) {
  if (params.redirects !== 0) throw new Error('stand-in k6/http only implements redirects: 0 (what the exported script uses)');
  const headers: Record<string, string> = { ...(params.headers ?? {}) };
  const jar = params.jar?.jar;
  const cookie = jar?.getCookieStringSync(url);
  if (cookie) headers['cookie'] = cookie;
  let payload: string | null = null;
  if (body !== null) {
    payload = typeof body === 'string' ? body : new URLSearchParams(body).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const timeoutMs = params.timeout ? Number.parseInt(params.timeout, 10) : 60_000;
  const r = syncRequest({ method, url, headers, body: payload, timeoutMs });
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (k === 'set-cookie') for (const c of [v].flat()) jar?.setCookieSync(c, url, { ignoreError: true });
    // k6 canonicalises header names (Location, Set-Cookie) and joins repeats.
    flat[k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())] = [v].flat().join(', ');
  }
  return {
    status: r.status,
    headers: flat,
    body: r.body,
    error: r.errorCode ?? '',
    error_code: r.errorCode ? (K6_ERROR[r.errorCode] ?? 1000) : r.status >= 400 ? 1400 + (r.status - 400) : 0,
    timings: { connecting: 0, tls_handshaking: 0, duration: r.durationMs },
    html() {
      throw new Error('stand-in k6/http: html() is not implemented (only the oidc-provider login runs here)');
    },
  };
}

export default {
  get: (url: string, params?: Params) => request('GET', url, null, params),
  post: (url: string, body: Record<string, string> | string, params?: Params) => request('POST', url, body, params),
  cookieJar: () => new CookieJar(),
  CookieJar,
};
