/**
 * Pushed authorization requests (RFC 9126): the authorization parameters go to the PAR endpoint
 * in a client-authenticated POST, and the browser is sent to /auth with only `client_id` and the
 * `request_uri` it returned. Timed as its own endpoint class, `par`.
 */
import { ACCEPT_JSON } from './http.ts';
import { publicClient } from './client-auth.ts';
import { oauthEvidence, parseOAuthErrorBody, statusEvidence } from './classify.ts';
import type { FlowContext } from './pkce-flow.ts';
import type { FlowSession } from './session.ts';

/**
 * Pushes the parameters of `authorizeUrl`; returns the URL to send the browser to, or null when the
 * push failed (recorded with its class).
 *
 * @example
 * const url = await pushAuthorizationRequest(ctx, session, authorizeUrl);
 */
export async function pushAuthorizationRequest(ctx: FlowContext, session: FlowSession, authorizeUrl: URL): Promise<URL | null> {
  const endpoint = ctx.target.parEndpoint;
  if (!endpoint) {
    session.recordFailure(statusEvidence('par', 0, 'bad_response', 'target.client.par is set but discovery advertises no pushed_authorization_request_endpoint'));
    return null;
  }
  const auth = ctx.clientAuth ?? publicClient(ctx.target.clientId);
  const creds = await auth.credentials(endpoint);
  for (const s of creds.secrets ?? []) session.scrub(s);
  const params = new URLSearchParams(authorizeUrl.search);
  // The credentials may carry client_id too (public and post clients): each parameter once.
  for (const [k, v] of new URLSearchParams(creds.form.replace(/^&/, ''))) params.set(k, v);
  const headers = creds.headers ? { ...ACCEPT_JSON, ...creds.headers } : ACCEPT_JSON;
  const res = await session.send('par', { method: 'POST', url: endpoint, form: params.toString(), headers });
  if (!res) return null;
  let requestUri: unknown;
  if (res.status === 201) {
    try {
      requestUri = (JSON.parse(res.body) as { request_uri?: unknown }).request_uri;
    } catch {
      requestUri = undefined;
    }
  }
  if (typeof requestUri !== 'string') {
    session.record('par', res, false);
    const parsed = res.status === 201 ? undefined : parseOAuthErrorBody(res.body);
    session.recordFailure(
      parsed
        ? oauthEvidence('par', { status: res.status, ...parsed })
        : statusEvidence('par', res.status, 'bad_response', res.status === 201 ? 'PAR response has no request_uri' : 'PAR error response is not OAuth JSON'),
    );
    return null;
  }
  session.record('par', res, true);
  const url = new URL(ctx.target.authorizationEndpoint.href);
  url.searchParams.set('client_id', ctx.target.clientId);
  url.searchParams.set('request_uri', requestUri);
  return url;
}
