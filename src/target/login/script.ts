/**
 * The script login driver: the user's own TypeScript module (scenario `target.login.module`)
 * exporting `login(ctx)`, for IdPs whose login is a JSON API behind a JavaScript page. The module
 * is bundled with esbuild like scenarios are (./bundle-module.ts); `ctx` is a small typed API over the flow's session
 * (cookie jar, timing, loopback-only, bounded request count). `login` returns the authorization
 * response URL (the redirect to redirect_uri), or `ctx.fail(...)`.
 *
 * @example
 * // login.ts
 * import type { LoginScriptContext } from 'tokenstorm';
 * export async function login(ctx: LoginScriptContext) {
 *   const page = await ctx.send({ url: ctx.authorizeUrl });
 *   const res = await ctx.send({ method: 'POST', url: new URL('/api/login', ctx.authorizeUrl), endpoint: 'login',
 *     json: { user: ctx.target.username, password: ctx.target.password } });
 *   return res?.location ?? ctx.fail('no redirect after the login API');
 * }
 */
import { isAbsolute, relative } from 'node:path';
import { statusEvidence } from '../../flow/classify.ts';
import { headerValue, type HttpResponse } from '../../flow/http.ts';
import type { LoginDriver } from '../../flow/login-driver.ts';
import type { FlowSession } from '../../flow/session.ts';
import type { FlowTarget } from '../../flow/target.ts';
import { TokenstormError } from '../../errors.ts';
import type { EndpointClass, FailureClass } from '../../report/schema.ts';
import { bundleModule } from './bundle-module.ts';
import { MAX_PAGE_BYTES, parsePage } from './html-page.ts';
import { followProblem, isRedirectUri, MAX_LOGIN_HOPS } from './redirect.ts';

/** A request from a login script. */
export interface ScriptRequest {
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** Absolute, or relative to the authorization endpoint. Loopback only. */
  url: URL | string;
  /** How the exchange is timed in reports. Default 'login'. */
  endpoint?: 'authorize' | 'login' | 'consent' | 'callback';
  headers?: Record<string, string>;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string> | URLSearchParams;
  /** JSON body (sets content-type). */
  json?: unknown;
}

/** A response as a login script sees it. */
export interface ScriptResponse {
  status: number;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The Location header resolved against `url`, when there is one. */
  location: URL | undefined;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json<T = unknown>(): T | undefined;
}

/** Failure classes a script may report. */
export type ScriptFailureClass = Extract<FailureClass, 'login_failed' | 'login_unsupported' | 'bad_response' | 'invalid_client'>;

/** What `login(ctx)` receives. */
export interface LoginScriptContext {
  readonly authorizeUrl: URL;
  readonly target: Readonly<Pick<FlowTarget, 'issuer' | 'clientId' | 'redirectUri' | 'username' | 'password' | 'scope'>>;
  /** Sends one request with the flow's cookies (no redirect is followed); null after a transport failure (already recorded). */
  send(req: ScriptRequest): Promise<ScriptResponse | null>;
  /** Submits a form of an HTML page (the first, or `formId`) with its hidden inputs plus `values`, pressing `button` (name, id or label). */
  submitForm(
    page: ScriptResponse,
    values?: Record<string, string>,
    options?: { formId?: string; button?: string; endpoint?: ScriptRequest['endpoint'] },
  ): Promise<ScriptResponse | null>;
  /** Cookies the flow would send to `url` (default: the authorization endpoint). */
  cookies(url?: URL | string): Array<{ name: string; value: string }>;
  /** True when `url` is the authorization response (the registered redirect_uri). */
  isCallback(url: URL | string): boolean;
  /** Records the flow as failed with `description` (default class login_failed) and returns null. */
  fail(description: string, failureClass?: ScriptFailureClass): null;
}

/** The module a user writes. */
export type LoginScript = (ctx: LoginScriptContext) => Promise<URL | string | null> | URL | string | null;

// A script is user code; its request count per login is bounded like every other driver's.
const MAX_SCRIPT_REQUESTS = MAX_LOGIN_HOPS * 2;

class ScriptFailed extends Error {}

function contextFor(session: FlowSession, target: FlowTarget, authorizeUrl: URL, state: { last: EndpointClass; failed: boolean }): LoginScriptContext {
  let requests = 0;
  const toUrl = (u: URL | string): URL => (typeof u === 'string' ? new URL(u, authorizeUrl) : u);
  const fail = (description: string, failureClass: ScriptFailureClass = 'login_failed'): null => {
    if (!state.failed) session.recordFailure(statusEvidence(state.last, 0, failureClass, `script: ${description}`));
    state.failed = true;
    return null;
  };
  const wrap = (res: HttpResponse, url: URL): ScriptResponse => {
    const loc = headerValue(res.headers, 'location');
    return {
      status: res.status,
      url,
      headers: res.headers,
      body: res.body,
      location: loc !== undefined && URL.canParse(loc, url.href) ? new URL(loc, url) : undefined,
      json<T>() {
        try {
          return JSON.parse(res.body) as T;
        } catch {
          return undefined;
        }
      },
    };
  };
  const ctx: LoginScriptContext = {
    authorizeUrl,
    target,
    async send(req) {
      const url = toUrl(req.url);
      const endpoint = req.endpoint ?? 'login';
      state.last = endpoint;
      const problem = followProblem(url);
      if (problem) throw new ScriptFailed(problem);
      if (++requests > MAX_SCRIPT_REQUESTS) throw new ScriptFailed(`more than ${MAX_SCRIPT_REQUESTS} requests in one login`);
      const headers: Record<string, string> = { accept: 'text/html,application/json', ...req.headers };
      let body: string | undefined;
      if (req.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(req.json);
      }
      const form = req.form === undefined ? undefined : new URLSearchParams(req.form).toString();
      const res = await session.send(endpoint, {
        method: req.method ?? (form !== undefined || body !== undefined ? 'POST' : 'GET'),
        url,
        headers,
        ...(form !== undefined ? { form } : body !== undefined ? { body } : {}),
      });
      if (!res) {
        state.failed = true;
        return null;
      }
      session.record(endpoint, res, res.status < 400);
      return wrap(res, url);
    },
    async submitForm(page, values = {}, options = {}) {
      if (page.body.length > MAX_PAGE_BYTES) throw new ScriptFailed(`page over the ${MAX_PAGE_BYTES}-byte limit not parsed`);
      const parsed = parsePage(page.body, page.url);
      const form = options.formId === undefined ? parsed.forms[0] : parsed.forms.find((f) => f.id === options.formId);
      if (!form) throw new ScriptFailed(`no form ${options.formId ?? ''} on the page (title ${JSON.stringify(parsed.title.slice(0, 60))})`);
      const body = new URLSearchParams();
      for (const f of form.fields) {
        if ((f.type === 'checkbox' || f.type === 'radio') && !f.checked) continue;
        if (!(f.name in values)) body.append(f.name, f.value);
      }
      for (const [k, v] of Object.entries(values)) body.append(k, v);
      const want = options.button?.toLowerCase();
      const button = want === undefined ? form.submits[0] : form.submits.find((b) => [b.name, b.id, b.label].some((s) => s?.toLowerCase() === want));
      if (button?.name) body.append(button.name, button.value);
      if (form.method === 'GET') {
        const url = new URL(form.action.href);
        url.search = body.toString();
        return ctx.send({ url, endpoint: options.endpoint ?? 'login' });
      }
      return ctx.send({ method: 'POST', url: form.action, form: body, endpoint: options.endpoint ?? 'login' });
    },
    cookies(url) {
      return session.cookies(url === undefined ? authorizeUrl : toUrl(url));
    },
    isCallback(url) {
      return isRedirectUri(toUrl(url), target.redirectUri);
    },
    fail,
  };
  return ctx;
}

/**
 * A driver around a loaded `login` function.
 *
 * @example
 * const login = scriptLogin(async (ctx) => ctx.fail('not yet'));
 */
export function scriptLogin(script: LoginScript, name = 'script'): LoginDriver {
  return {
    name,
    async run(session, target, authorizeUrl) {
      const state: { last: EndpointClass; failed: boolean } = { last: 'authorize', failed: false };
      const ctx = contextFor(session, target, authorizeUrl, state);
      let out: URL | string | null;
      try {
        out = await script(ctx);
      } catch (err) {
        const message = err instanceof ScriptFailed ? err.message : `login script threw: ${err instanceof Error ? err.message : String(err)}`;
        return state.failed ? null : ctx.fail(message.replace(/\s+/g, ' '));
      }
      if (state.failed) return null;
      if (out === null) return ctx.fail('login returned null without calling ctx.fail()');
      const url = typeof out === 'string' ? (URL.canParse(out, authorizeUrl.href) ? new URL(out, authorizeUrl) : null) : out;
      if (url === null || !isRedirectUri(url, target.redirectUri)) {
        return ctx.fail('login did not return the authorization response (a URL at redirect_uri)', 'bad_response');
      }
      return { callbackUrl: url, endpoint: state.last };
    },
  };
}

/**
 * Loads a login script module (absolute path) and returns its driver. A module without a `login`
 * function export is `ERR_SCENARIO_INVALID` (exit 2).
 *
 * @example
 * const login = await loadScriptLogin('/work/scenarios/my-idp-login.ts');
 */
export async function loadScriptLogin(file: string): Promise<LoginDriver> {
  const rel = relative(process.cwd(), file);
  const shown = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  const mod = await bundleModule(file, shown);
  const fn = mod.login ?? (mod.default as { login?: unknown } | undefined)?.login ?? mod.default;
  if (typeof fn !== 'function') {
    throw new TokenstormError('ERR_SCENARIO_INVALID', `${shown}: target.login.module must export a function login(ctx)`);
  }
  return scriptLogin(fn as LoginScript);
}
