/**
 * The PKCE flow as a k6 script (k6 runtime, not Node): typed with @types/k6, bundled by esbuild
 * with `k6` and `k6/*` external. `tokenstorm export k6` copies this file and the shared rule table
 * (../../flow/classify-rules.ts) next to a generated entry that passes the scenario's config.
 *
 * What it measures, per iteration (one flow): authorize (S256 challenge from k6/crypto), the login
 * (oidc-provider devInteractions or a Keycloak-style HTML form), the callback checks (state, RFC
 * 9207 iss, code), the token exchange (public or client-secret authentication) and the ID-token
 * claim checks (iss, aud, nonce, iat/exp). Each exchange goes into the Trend `tokenstorm_<class>`
 * (ms) tagged with `endpoint`, `ok` and, on failure, `failure_class` — decided by the same rule
 * table as tokenstorm's Node classifier — so `tokenstorm import k6` can rebuild exact histograms.
 * Differences from tokenstorm itself: no coordinated-omission correction (k6 reports late starts
 * as `dropped_iterations`), and the ID token's signature is not verified (claims only).
 */
import { check } from 'k6';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import http, { type RefinedResponse } from 'k6/http';
import { Rate, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import { CLASSIFY_RULES, classifyUnexpectedStatus, classifyWithRules } from '../../flow/classify-rules.ts';

/** The scenario as the script needs it; written by `tokenstorm export k6`. No secret in here. */
export interface K6FlowConfig {
  scenario: string;
  /** Default issuer; `ISSUER` in the environment wins (k6-operator: spec.runner.env). */
  issuer: string;
  clientId: string;
  /** Default `${issuer}/cb` (the embedded IdP's). */
  redirectUri: string | null;
  scope: string;
  username: string;
  login: 'oidc-provider' | 'form';
  clientAuth: 'none' | 'client_secret_basic' | 'client_secret_post';
  requestTimeoutMs: number;
  idTokenToleranceSec: number;
  /** Response header carrying the embedded IdP's precise error detail. */
  errorDetailHeader: string;
  startRatePerSec: number;
  stages: Array<{ durationMs: number; targetRatePerSec: number }>;
  maxVus: number;
  /** k6 thresholds, already translated from tokenstorm's syntax. */
  thresholds: Record<string, string[]>;
}

type Cls = 'authorize' | 'login' | 'consent' | 'callback' | 'token' | 'flow';
const CLASSES: Cls[] = ['authorize', 'login', 'consent', 'callback', 'token', 'flow'];
const trends = {} as Record<Cls, Trend>;
for (const c of CLASSES) trends[c] = new Trend(`tokenstorm_${c}`, true);
/** Failed flows ratio (for `flow:rate(failed)` thresholds). */
const flowFailed = new Rate('tokenstorm_flow_failed');

/** The rule table this script classifies with (exported so a test can compare it with Node's). */
export const classificationRules = CLASSIFY_RULES;

/** k6 transport error codes (k6 docs, "Error codes") to tokenstorm's socket failure classes. */
const K6_TRANSPORT: Record<number, string> = {
  1050: 'timeout_response',
  1211: 'timeout_connect',
  1212: 'connection_refused',
  1220: 'connection_reset',
};

/**
 * k6 options: one arrival-rate scenario from the stages, and the translated thresholds.
 *
 * @example
 * export const options = buildOptions(CONFIG);
 */
export function buildOptions(cfg: K6FlowConfig): Options {
  const constant = cfg.stages.length === 1 && cfg.stages[0]!.targetRatePerSec === cfg.startRatePerSec;
  const scenario: Scenario = constant
    ? {
        executor: 'constant-arrival-rate',
        rate: cfg.startRatePerSec,
        timeUnit: '1s',
        duration: `${cfg.stages[0]!.durationMs}ms`,
        preAllocatedVUs: Math.min(cfg.maxVus, Math.max(1, Math.ceil(cfg.startRatePerSec))),
        maxVUs: cfg.maxVus,
      }
    : {
        executor: 'ramping-arrival-rate',
        startRate: cfg.startRatePerSec,
        timeUnit: '1s',
        stages: cfg.stages.map((s) => ({ target: s.targetRatePerSec, duration: `${s.durationMs}ms` })),
        preAllocatedVUs: Math.min(cfg.maxVus, Math.max(1, Math.ceil(Math.max(cfg.startRatePerSec, ...cfg.stages.map((s) => s.targetRatePerSec))))),
        maxVUs: cfg.maxVus,
      };
  return {
    scenarios: { [cfg.scenario.replace(/[^A-Za-z0-9_]/g, '_')]: scenario },
    thresholds: cfg.thresholds,
    // Only the tags tokenstorm needs: a URL tag per request would explode series (codes, uids).
    systemTags: ['status', 'method', 'name', 'scenario', 'error_code', 'expected_response'],
    discardResponseBodies: false,
  };
}

/** The IdP's endpoints, from discovery in k6's setup() (once per test run, not per flow). */
export interface Discovered {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

interface Flow {
  cfg: K6FlowConfig;
  issuer: string;
  endpoints: Discovered;
  redirectUri: string;
  jar: ReturnType<typeof http.cookieJar>;
  failure: string | null;
}

type Res = RefinedResponse<'text'>;

function env(name: string): string | undefined {
  const v = __ENV[name];
  return v === undefined || v === '' ? undefined : v;
}

function b64url(bytes: ArrayBuffer): string {
  return encoding.b64encode(bytes, 'rawurl');
}

function record(cls: Cls, res: Res, ok: boolean, failureClass?: string): void {
  const t = res.timings;
  const tags: Record<string, string> = { endpoint: cls, ok: String(ok) };
  if (failureClass) tags['failure_class'] = failureClass;
  // Request start to last body byte, as tokenstorm measures it (connect and TLS included).
  trends[cls].add(t.connecting + t.tls_handshaking + t.duration, tags);
}

function transportFailure(res: Res): string | null {
  if (res.status !== 0) return null;
  return K6_TRANSPORT[res.error_code] ?? 'other';
}

function header(res: Res, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const k of Object.keys(res.headers)) if (k.toLowerCase() === want) return res.headers[k];
  return undefined;
}

function send(f: Flow, cls: Cls, method: 'GET' | 'POST', url: string, body: Record<string, string> | null, headers: Record<string, string> = {}): Res {
  const params = { redirects: 0, jar: f.jar, headers, tags: { name: cls }, timeout: `${f.cfg.requestTimeoutMs}ms`, responseType: 'text' as const };
  return method === 'GET' ? http.get(url, params) : http.post(url, body ?? {}, params);
}

/** Fails the flow at `cls` with a class; records the exchange as failed. */
function fail(f: Flow, cls: Cls, res: Res | null, failureClass: string): null {
  f.failure = failureClass;
  if (res) record(cls, res, false, failureClass);
  return null;
}

/** The class of a non-200 token response: its OAuth error through the shared rules, else its status. */
function oauthErrorFrom(res: Res, detailHeader: string): string {
  let j: { error?: unknown; error_description?: unknown };
  try {
    j = JSON.parse(String(res.body ?? '')) as typeof j;
  } catch {
    return classifyUnexpectedStatus(CLASSIFY_RULES, res.status, 'bad_response');
  }
  if (typeof j.error !== 'string') return classifyUnexpectedStatus(CLASSIFY_RULES, res.status, 'bad_response');
  const detail = header(res, detailHeader);
  return classifyWithRules(CLASSIFY_RULES, {
    status: res.status,
    error: j.error,
    ...(typeof j.error_description === 'string' ? { description: j.error_description } : {}),
    ...(detail !== undefined ? { detail } : {}),
  });
}

function resolve(location: string, base: string): string {
  if (/^https?:\/\//i.test(location)) return location;
  const m = /^(https?:\/\/[^/]+)/i.exec(base);
  return location.startsWith('/') && m ? `${m[1]}${location}` : location;
}

/** A redirect is followed only to the issuer's own origin or to loopback; anything else is recorded, not followed. */
function followable(url: string, issuer: string): boolean {
  const origin = /^(https?:\/\/[^/?#]+)/i.exec(issuer)?.[1]?.toLowerCase();
  if (origin !== undefined && url.toLowerCase().startsWith(origin) && /^[/?#]?$/.test(url.charAt(origin.length))) return true;
  return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?([/?#]|$)/i.test(url);
}

function formEncode(o: Record<string, string>): string {
  return Object.keys(o)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(o[k]!)}`)
    .join('&');
}

/** oidc-provider devInteractions: follow 303s by hand, POST the login then the consent form. */
function loginOidcProvider(f: Flow, authorizeUrl: string): { callback: string; res: Res; cls: Cls } | null {
  let cls: Cls = 'authorize';
  let url = authorizeUrl;
  let res = send(f, cls, 'GET', url, null, { accept: 'text/html' });
  let loggedIn = false;
  for (let hop = 0; hop < 10; hop++) {
    const t = transportFailure(res);
    if (t) return fail(f, cls, res, t);
    const location = header(res, 'location');
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) {
      return fail(f, cls, res, classifyUnexpectedStatus(CLASSIFY_RULES, res.status, cls === 'login' || cls === 'consent' ? 'login_failed' : 'bad_response'));
    }
    const next = resolve(location, url);
    if (next.split('?')[0] === f.redirectUri) return { callback: next, res, cls: cls === 'authorize' ? 'authorize' : 'callback' };
    if (!followable(next, f.issuer)) return fail(f, cls, res, 'bad_response');
    record(cls, res, true);
    url = next;
    if (next.includes('/interaction/')) {
      cls = loggedIn ? 'consent' : 'login';
      const form: Record<string, string> = loggedIn ? { prompt: 'consent' } : { prompt: 'login', login: f.cfg.username, password: env('TOKENSTORM_PASSWORD') ?? 'tokenstorm' };
      loggedIn = true;
      res = send(f, cls, 'POST', next, form, { accept: 'text/html' });
    } else {
      res = send(f, cls, 'GET', next, null, { accept: 'text/html' });
    }
  }
  return fail(f, cls, res, 'login_failed');
}

/** Keycloak-style form login: GET the authorize page, POST username/password to the form's action. */
function loginForm(f: Flow, authorizeUrl: string): { callback: string; res: Res; cls: Cls } | null {
  const page = send(f, 'authorize', 'GET', authorizeUrl, null, { accept: 'text/html' });
  const t = transportFailure(page);
  if (t) return fail(f, 'authorize', page, t);
  const early = header(page, 'location');
  if (early && resolve(early, authorizeUrl).split('?')[0] === f.redirectUri) return { callback: resolve(early, authorizeUrl), res: page, cls: 'authorize' };
  if (page.status !== 200) return fail(f, 'authorize', page, classifyUnexpectedStatus(CLASSIFY_RULES, page.status, 'bad_response'));
  const doc = page.html();
  let action = doc.find('form#kc-form-login').attr('action');
  if (!action) action = doc.find('input[type=password]').closest('form').attr('action');
  if (!action) return fail(f, 'authorize', page, 'login_failed');
  record('authorize', page, true);
  const target = resolve(action.replace(/&amp;/g, '&'), authorizeUrl);
  if (!followable(target, f.issuer)) return fail(f, 'login', null, 'bad_response');
  const res = send(f, 'login', 'POST', target, { username: f.cfg.username, password: env('TOKENSTORM_PASSWORD') ?? '' }, { accept: 'text/html' });
  const tt = transportFailure(res);
  if (tt) return fail(f, 'login', res, tt);
  const location = header(res, 'location');
  if (!location || ![302, 303].includes(res.status)) return fail(f, 'login', res, classifyUnexpectedStatus(CLASSIFY_RULES, res.status, 'login_failed'));
  const next = resolve(location, target);
  if (next.split('?')[0] !== f.redirectUri) return fail(f, 'login', res, 'login_failed');
  return { callback: next, res, cls: 'callback' };
}

function query(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  const q = url.split('#')[0]!.split('?')[1] ?? '';
  for (const part of q.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    out[k] = decodeURIComponent((i < 0 ? '' : part.slice(i + 1)).replace(/\+/g, ' '));
  }
  return out;
}

function idTokenProblem(f: Flow, idToken: string, nonce: string): string | null {
  const parts = idToken.split('.');
  if (parts.length !== 3) return 'bad_response';
  let claims: { iss?: unknown; aud?: unknown; nonce?: unknown; iat?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(encoding.b64decode(parts[1]!, 'rawurl', 's')) as typeof claims;
  } catch {
    return 'bad_response';
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== f.issuer || !aud.includes(f.cfg.clientId) || claims.nonce !== nonce) return 'bad_response';
  const now = Date.now() / 1000;
  const tol = f.cfg.idTokenToleranceSec;
  if (typeof claims.iat === 'number' && claims.iat > now + tol) return 'clock_skew';
  if (typeof claims.exp === 'number' && claims.exp < now - tol) return 'clock_skew';
  return null;
}

/**
 * OpenID discovery (k6 setup()): the authorization and token endpoints, which must be on the
 * issuer's origin or loopback. Throws (k6 aborts the test) when discovery fails.
 *
 * @example
 * export function setup() { return discover(CONFIG); }
 */
export function discover(cfg: K6FlowConfig): Discovered {
  const issuer = (env('ISSUER') ?? cfg.issuer).replace(/\/$/, '');
  const res = http.get(`${issuer}/.well-known/openid-configuration`, { redirects: 0, headers: { accept: 'application/json' }, timeout: `${cfg.requestTimeoutMs}ms`, tags: { name: 'discovery' } });
  if (res.status !== 200) throw new Error(`discovery at ${issuer} answered ${res.status}${res.error ? ` (${res.error})` : ''}`);
  let doc: { authorization_endpoint?: unknown; token_endpoint?: unknown };
  try {
    doc = JSON.parse(String(res.body ?? '')) as typeof doc;
  } catch {
    throw new Error(`discovery at ${issuer} is not JSON`);
  }
  const a = doc.authorization_endpoint;
  const t = doc.token_endpoint;
  if (typeof a !== 'string' || typeof t !== 'string' || !followable(a, issuer) || !followable(t, issuer)) {
    throw new Error(`discovery at ${issuer} lacks endpoints on the issuer's origin or loopback`);
  }
  return { issuer, authorizationEndpoint: a, tokenEndpoint: env('TOKEN_URL') ?? t };
}

/**
 * One flow. Records every exchange and the whole flow; returns the failure class or null.
 *
 * @example
 * export default function (endpoints: Discovered) { runFlow(CONFIG, endpoints); }
 */
export function runFlow(cfg: K6FlowConfig, endpoints: Discovered): string | null {
  const issuer = endpoints.issuer;
  const f: Flow = { cfg, issuer, endpoints, redirectUri: env('REDIRECT_URI') ?? cfg.redirectUri ?? `${issuer}/cb`, jar: new http.CookieJar(), failure: null };
  const started = Date.now();
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = crypto.sha256(verifier, 'base64rawurl');
  const state = b64url(crypto.randomBytes(16));
  const nonce = b64url(crypto.randomBytes(16));
  const authorizeUrl = `${endpoints.authorizationEndpoint}${endpoints.authorizationEndpoint.includes('?') ? '&' : '?'}${formEncode({ response_type: 'code', client_id: cfg.clientId, redirect_uri: f.redirectUri, scope: cfg.scope, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' })}`;
  const login = cfg.login === 'form' ? loginForm(f, authorizeUrl) : loginOidcProvider(f, authorizeUrl);
  if (login) {
    const q = query(login.callback);
    if (q['error'] !== undefined) {
      fail(f, login.cls, login.res, classifyWithRules(CLASSIFY_RULES, { status: 400, error: q['error'], ...(q['error_description'] !== undefined ? { description: q['error_description'] } : {}) }));
    } else if (q['iss'] !== undefined && q['iss'] !== issuer) {
      fail(f, login.cls, login.res, 'bad_response');
    } else if (q['state'] !== state) {
      fail(f, login.cls, login.res, 'state_mismatch');
    } else if (!q['code']) {
      fail(f, login.cls, login.res, 'callback_missing_code');
    } else {
      record(login.cls, login.res, true);
      exchange(f, q['code'], verifier, nonce);
    }
  }
  const ok = f.failure === null;
  const flowTags: Record<string, string> = { endpoint: 'flow', ok: String(ok) };
  if (f.failure) flowTags['failure_class'] = f.failure;
  trends.flow.add(Date.now() - started, flowTags);
  flowFailed.add(!ok);
  check(f.failure, { 'flow completed': (v) => v === null });
  return f.failure;
}

function exchange(f: Flow, code: string, verifier: string, nonce: string): void {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: f.redirectUri, code_verifier: verifier, client_id: f.cfg.clientId };
  const headers: Record<string, string> = { accept: 'application/json' };
  const secret = env('TOKENSTORM_CLIENT_SECRET');
  if (f.cfg.clientAuth === 'client_secret_basic' && secret !== undefined) {
    headers['authorization'] = `Basic ${encoding.b64encode(`${encodeURIComponent(f.cfg.clientId)}:${encodeURIComponent(secret)}`)}`;
  } else if (f.cfg.clientAuth === 'client_secret_post' && secret !== undefined) {
    form['client_secret'] = secret;
  }
  // TOKEN_URL (see discover) lets token requests go through their own fault proxy (`tokenstorm faults`).
  const res = send(f, 'token', 'POST', f.endpoints.tokenEndpoint, form, headers);
  const t = transportFailure(res);
  if (t) return void fail(f, 'token', res, t);
  if (res.status !== 200) return void fail(f, 'token', res, oauthErrorFrom(res, f.cfg.errorDetailHeader));
  let body: { access_token?: unknown; id_token?: unknown };
  try {
    body = JSON.parse(String(res.body ?? '')) as typeof body;
  } catch {
    return void fail(f, 'token', res, 'bad_response');
  }
  if (typeof body.access_token !== 'string') return void fail(f, 'token', res, 'bad_response');
  if (typeof body.id_token === 'string') {
    const problem = idTokenProblem(f, body.id_token, nonce);
    if (problem) return void fail(f, 'token', res, problem);
  }
  record('token', res, true);
}
