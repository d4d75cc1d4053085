/**
 * The comparison point for the flow benchmark: the PKCE flow as a straightforward script would
 * write it — undici `fetch` with manual redirects, a tough-cookie jar per flow, randomBytes +
 * createHash per verifier, the ID token decoded (not verified). Same requests as the harness's
 * driver; no timing, no histograms, no classification.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { CookieJar } from 'tough-cookie';
import { type Dispatcher, fetch } from 'undici';

/** Endpoints and client of the IdP under test. */
export interface NaiveTarget {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
}

/** One flow; resolves true on a token response with an id_token. */
export async function naiveFlow(t: NaiveTarget, dispatcher: Dispatcher): Promise<boolean> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomUUID();
  const jar = new CookieJar();
  const go = async (url: string, init: { method?: string; body?: URLSearchParams } = {}) => {
    const cookie = await jar.getCookieString(url);
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
      body: init.body,
      dispatcher,
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
      const tokenRes = await fetch(t.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code') ?? '', redirect_uri: t.redirectUri, client_id: t.clientId, code_verifier: verifier }),
        dispatcher,
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
