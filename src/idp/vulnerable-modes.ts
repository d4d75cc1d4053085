/**
 * Deliberately vulnerable behaviours of the embedded IdP (IdpMode flags), so that every security
 * probe can be shown to find what it looks for. Each one tampers with a request or response at the
 * edge of oidc-provider, or with the stored code, instead of patching the provider: the provider's
 * own checks still run and still answer with their real error shapes for everything the mode does
 * not switch off.
 *
 * - acceptAnyVerifier: a token request's `code_verifier` (whatever it is) is dropped and the
 *   stored code's challenge removed, so PKCE passes without comparing anything.
 * - ignorePkce: `pkce.required` is false (see provider-setup.ts); a missing verifier is accepted
 *   (the stored challenge is removed) and a verifier for a code without challenge is dropped
 *   (the RFC 9700 downgrade).
 * - acceptPlain: `code_challenge_method=plain` (or a challenge without method, RFC 7636's default)
 *   is rewritten into the equivalent S256 challenge, and discovery advertises `plain`.
 * - reusableCodes: the adapter never marks codes or refresh tokens consumed (map-adapter.ts
 *   `skipConsume`), so replays are redeemed and a rotated-out refresh token still works.
 * - omitIss: `iss` is removed from authorization responses while discovery still promises it.
 * - ignoreCodeExpiry / ignoreRedirectUri / ignoreClientBinding: before oidc-provider looks at a
 *   token request, the stored code's `exp` is moved an hour ahead, the request's redirect_uri
 *   replaced with the code's, or the code and its grant handed to the requesting client.
 */
import { hash } from 'node:crypto';
import type { KoaContext } from 'oidc-provider';
import type { MapAdapterStore } from './map-adapter.ts';
import type { IdpMode } from './messages.ts';

/** oidc-provider's own body limit; a bigger token request is refused by it anyway. */
const BODY_LIMIT_BYTES = 56 * 1024;

/** True when `mode` tampers with token requests. */
export function tampersWithTokenRequests(mode: IdpMode): boolean {
  return (
    mode.acceptAnyVerifier === true ||
    mode.ignorePkce === true ||
    mode.ignoreCodeExpiry === true ||
    mode.ignoreRedirectUri === true ||
    mode.ignoreClientBinding === true
  );
}

/**
 * Rewrites `GET /auth` for acceptPlain: a plain challenge (the verifier itself) becomes its S256
 * challenge, which the later verifier then matches exactly as a plain comparison would.
 */
export function acceptPlainAuthorization(ctx: KoaContext): void {
  const query = new URLSearchParams(ctx.querystring);
  const challenge = query.get('code_challenge');
  const method = query.get('code_challenge_method');
  if (challenge === null || (method !== null && method !== 'plain')) return;
  query.set('code_challenge', hash('sha256', challenge, 'base64url'));
  query.set('code_challenge_method', 'S256');
  ctx.querystring = query.toString();
}

async function readBody(ctx: KoaContext): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Tampers with a `POST /token` authorization_code request for acceptAnyVerifier / ignorePkce. The
 * body is read here and handed to oidc-provider as an already parsed body (its documented fallback).
 */
export async function tamperTokenRequest(ctx: KoaContext, mode: IdpMode, store: MapAdapterStore): Promise<void> {
  if (!ctx.is('application/x-www-form-urlencoded')) return;
  const raw = await readBody(ctx);
  if (raw === null) {
    ctx.status = 413;
    ctx.body = { error: 'invalid_request', error_description: 'request entity too large' };
    return;
  }
  const form = new URLSearchParams(raw);
  const code = form.get('code');
  if (form.get('grant_type') === 'authorization_code' && code !== null) {
    const stored = store.peek('AuthorizationCode', code);
    const hasVerifier = form.get('code_verifier') !== null;
    const hasChallenge = stored !== undefined && stored.codeChallenge !== undefined;
    const dropChallenge = (): void => {
      if (stored) {
        delete stored.codeChallenge;
        delete stored.codeChallengeMethod;
      }
    };
    if (mode.acceptAnyVerifier && hasVerifier) {
      form.delete('code_verifier');
      dropChallenge();
    } else if (mode.ignorePkce && !hasVerifier && hasChallenge) {
      dropChallenge();
    } else if (mode.ignorePkce && hasVerifier && !hasChallenge) {
      form.delete('code_verifier');
    }
    if (stored && mode.ignoreCodeExpiry) stored.exp = Math.floor(Date.now() / 1000) + 3600;
    if (stored && mode.ignoreRedirectUri && typeof stored.redirectUri === 'string') form.set('redirect_uri', stored.redirectUri);
    const clientId = form.get('client_id');
    if (stored && mode.ignoreClientBinding && clientId !== null && stored.clientId !== clientId) {
      stored.clientId = clientId;
      // Codes are bound to the login session's grant of their client; unbind as well.
      delete stored.expiresWithSession;
      const grant = typeof stored.grantId === 'string' ? store.peek('Grant', stored.grantId) : undefined;
      if (grant) grant.clientId = clientId;
    }
  }
  (ctx.req as { body?: unknown }).body = form.toString();
}

/** omitIss: drops `iss` from a redirect that carries an authorization response. */
export function stripIss(ctx: KoaContext, redirectUri: string): void {
  const location = ctx.response.get('location');
  if (!location?.startsWith(redirectUri)) return;
  const url = new URL(location);
  if (!url.searchParams.has('iss')) return;
  url.searchParams.delete('iss');
  ctx.set('location', url.href);
}

/** acceptPlain: discovery advertises `plain` beside S256. */
export function advertisePlain(ctx: KoaContext): void {
  const body = ctx.body as { code_challenge_methods_supported?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.code_challenge_methods_supported)) return;
  if (!body.code_challenge_methods_supported.includes('plain')) body.code_challenge_methods_supported.push('plain');
}
