/**
 * A plain PKCE flow against an IdP on this machine, as a straightforward script would write it:
 * `fetch` with manual redirects, a tough-cookie jar per flow, randomBytes + createHash per verifier,
 * the ID token decoded (not verified). The embedded IdP runs it against itself before it reports
 * ready ({@link primeIdp}); the flow benchmark uses it as its comparison point.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose/jwt/decode';
import { CookieJar } from 'tough-cookie';

/** Endpoints and client of the IdP a plain flow runs against. */
export interface PlainFlowTarget {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
}

/** The `fetch` a plain flow uses (the global one, or undici's bound to a dispatcher). */
export type PlainFetch = (url: string, init: { method: string; redirect: 'manual'; headers?: Record<string, string>; body?: URLSearchParams; signal?: AbortSignal }) => Promise<Response>;

const globalFetch: PlainFetch = (url, init) => fetch(url, init);

/**
 * One flow: authorize, the embedded IdP's login and consent forms (or its auto-approval), the
 * callback and the token request. Resolves true on a token response with an id_token.
 *
 * @example
 * const ok = await plainFlow({ authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, clientId: 'tokenstorm', redirectUri: `${issuer}/cb` });
 */
export async function plainFlow(t: PlainFlowTarget, fetchImpl: PlainFetch = globalFetch, signal?: AbortSignal): Promise<boolean> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomUUID();
  const jar = new CookieJar();
  const go = async (url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> => {
    const cookie = await jar.getCookieString(url);
    const res = await fetchImpl(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      ...(cookie ? { headers: { cookie } } : {}),
      ...(init.body ? { body: init.body } : {}),
      ...(signal ? { signal } : {}),
    });
    for (const c of res.headers.getSetCookie()) await jar.setCookie(c, url);
    await res.arrayBuffer();
    return res;
  };
  const auth = new URL(t.authorizationEndpoint);
  auth.search = new URLSearchParams({
    response_type: 'code',
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    scope: 'openid',
    state,
    nonce: randomUUID(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  let res = await go(auth.href);
  let url = auth.href;
  let step = 0;
  for (let hop = 0; hop < 10; hop++) {
    const next = new URL(res.headers.get('location') ?? '', url).href;
    if (next.startsWith(t.redirectUri)) {
      const q = new URL(next).searchParams;
      if (q.get('state') !== state) return false;
      const tokenRes = await fetchImpl(t.tokenEndpoint, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code') ?? '', redirect_uri: t.redirectUri, client_id: t.clientId, code_verifier: verifier }),
        ...(signal ? { signal } : {}),
      });
      const body = (await tokenRes.json()) as { id_token?: string };
      return tokenRes.status === 200 && typeof body.id_token === 'string' && decodeJwt(body.id_token).iss !== undefined;
    }
    url = next;
    if (next.includes('/interaction/')) {
      const form = step++ === 0 ? new URLSearchParams({ prompt: 'login', login: 'alice', password: 'x' }) : new URLSearchParams({ prompt: 'consent' });
      res = await go(next, { method: 'POST', body: form });
    } else {
      res = await go(next);
    }
  }
  return false;
}

/** What {@link primeIdp} did. */
export interface PrimeResult {
  /** Flows asked for. */
  flows: number;
  /** Flows that ended with tokens. */
  succeeded: number;
  /** Wall time, ms. */
  elapsedMs: number;
  /** True when the deadline stopped it before `flows` were run. */
  cutShort: boolean;
}

/**
 * Runs `flows` plain flows one after another (stopping at `deadlineMs`), so that the one-time
 * set-up of a fresh process (oidc-provider's lazily built routes, templates and keys, the first
 * JIT tiers) is paid before a run starts rather than in its first seconds: `bench startup`
 * measured a fresh embedded IdP's flow p99 at 20× steady state in the first 5 s at 200 flows/s
 * without this, and under 1× after 40 such flows. A failed flow is counted, never thrown.
 *
 * @example
 * await primeIdp({ authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, clientId, redirectUri }, 40, 5000);
 */
export async function primeIdp(t: PlainFlowTarget, flows: number, deadlineMs: number): Promise<PrimeResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(deadlineMs);
  let succeeded = 0;
  for (let ran = 0; ran < flows && !signal.aborted; ran++) {
    if (await plainFlow(t, globalFetch, signal).catch(() => false)) succeeded++;
  }
  return { flows, succeeded, elapsedMs: Math.round(performance.now() - started), cutShort: signal.aborted };
}
