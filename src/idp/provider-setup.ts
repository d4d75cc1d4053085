/**
 * Builds the oidc-provider instance of the embedded IdP: configuration (clients, keys, TTLs, an
 * unbounded adapter) and the koa middleware for tokenstorm's own needs (error-detail header, the
 * rejectS256 fault and the vulnerable modes, the /cb landing page, the optional auto-approve
 * interaction).
 */
import { randomBytes } from 'node:crypto';
import Provider, { type KoaContext, type KoaNext, type ProviderError } from 'oidc-provider';
import { ERROR_DETAIL_HEADER, redactDetail } from './error-details.ts';
import { createCookieKeygrip, generateSigningJwk } from './keys.ts';
import { createMapAdapter, type MapAdapterStore } from './map-adapter.ts';
import type { ErrorDetailMessage, IdpMode } from './messages.ts';
import { realNowMs } from './clock.ts';
import {
  CLIENT_ID,
  DPOP_CLIENT_ID,
  PRIVATE_KEY_JWT_CLIENT_ID,
  REDIRECT_PATH,
  SECOND_CLIENT_ID,
  SECRET_BASIC_CLIENT_ID,
  SECRET_POST_CLIENT_ID,
} from './constants.ts';
import { acceptPlainAuthorization, advertisePlain, stripIss, tamperTokenRequest, tampersWithTokenRequests } from './vulnerable-modes.ts';

/** The account auto-approve logs in when the request carries no `login_hint`. */
const AUTO_APPROVE_ACCOUNT = 'alice';

/** Options for {@link createIdpProvider}. */
export interface IdpProviderOptions {
  issuer: string;
  codeTtlSec: number;
  autoApprove: boolean;
  /** Secret of the client_secret_basic / client_secret_post clients. */
  clientSecret: string;
  /** Public JWK of the private_key_jwt client. */
  jwtClientPublicJwk: Record<string, unknown>;
  /** Read on every authorization request, so mode changes apply at once. */
  mode: () => IdpMode;
  onErrorDetail: (message: ErrorDetailMessage) => void;
}

/** The provider and its adapter store. */
export interface IdpProvider {
  provider: Provider;
  store: MapAdapterStore;
}

// Artifacts other than codes live minutes, not oidc-provider's days: the adapter is in memory and a
// load run leaves one session, grant and token set per flow (hundreds per second), so every TTL here
// is held in RAM (see EmbeddedIdp.stats()). Interaction and session TTLs also set the cookies'
// `Expires`, computed on the IdP's clock: with a backward clock offset larger than these, a client
// receives cookies that are already expired and the login fails, as it would against a real IdP with
// a slow clock. 600 s keeps logins working for skews up to ten minutes.
const TTL_SEC = {
  Interaction: 600,
  Session: 600,
  AccessToken: 300,
  IdToken: 300,
  RefreshToken: 300,
  Grant: 300,
} as const;

/**
 * Creates the configured provider. The issuer must already carry the bound port.
 *
 * @example
 * const { provider } = await createIdpProvider({ issuer, codeTtlSec: 60, autoApprove: false,
 *   mode: () => ({}), onErrorDetail: (m) => process.send?.(m) });
 * server.on('request', provider.callback());
 */
export async function createIdpProvider(options: IdpProviderOptions): Promise<IdpProvider> {
  const { issuer, autoApprove } = options;
  const redirectUri = `${issuer}${REDIRECT_PATH}`;
  const store = createMapAdapter({
    skipConsume: (model) => (model === 'AuthorizationCode' || model === 'RefreshToken') && options.mode().reusableCodes === true,
  });
  const client = (clientId: string) => ({
    client_id: clientId,
    token_endpoint_auth_method: 'none',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  });

  const confidential = (clientId: string, method: string) => ({
    ...client(clientId),
    token_endpoint_auth_method: method,
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  });

  const provider = new Provider(issuer, {
    adapter: store.Adapter,
    clients: [
      client(CLIENT_ID),
      client(SECOND_CLIENT_ID),
      { ...confidential(SECRET_BASIC_CLIENT_ID, 'client_secret_basic'), client_secret: options.clientSecret },
      { ...confidential(SECRET_POST_CLIENT_ID, 'client_secret_post'), client_secret: options.clientSecret },
      {
        ...confidential(PRIVATE_KEY_JWT_CLIENT_ID, 'private_key_jwt'),
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [options.jwtClientPublicJwk] },
      },
      { ...client(DPOP_CLIENT_ID), dpop_bound_access_tokens: true },
    ],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'ES256',
    },
    jwks: { keys: [await generateSigningJwk()] },
    cookies: { keys: createCookieKeygrip() },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access'],
    // RFC 6749 §4.1.3: redirect_uri is required at the token endpoint when it was sent to /auth.
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => options.mode().ignorePkce !== true },
    ttl: { ...TTL_SEC, AuthorizationCode: options.codeTtlSec },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    features: {
      devInteractions: { enabled: !autoApprove },
      clientCredentials: { enabled: true },
      // Nonces only when the dpopNonce mode asks for them (one extra round trip per token request).
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => options.mode().dpopNonce === true },
    },
    // Every client with the refresh_token grant gets a refresh token (no offline_access consent
    // dance), rotated on every use, so a refresh workload and a reuse probe have something to test.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ...(autoApprove ? { interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` } } : {}),
  });

  for (const event of ['grant.error', 'authorization.error', 'server_error']) {
    provider.on(event, (ctx, err) => {
      const detail = describe(event, err);
      // Events fire before koa writes the response, so the header still reaches the client.
      ctx.set(ERROR_DETAIL_HEADER, detail);
      options.onErrorDetail({ type: 'error-detail', event, error: err.error ?? 'server_error', detail, at: realNowMs() });
    });
  }

  provider.use(async (ctx: KoaContext, next: KoaNext) => {
    if (ctx.path === REDIRECT_PATH) {
      // Where a browser lands; the harness reads the Location header and never follows it.
      ctx.status = 200;
      ctx.type = 'text';
      ctx.body = 'tokenstorm: authorization response received\n';
      return;
    }
    const mode = options.mode();
    if (ctx.path === '/auth' && mode.rejectS256) rejectS256(ctx);
    if (ctx.path === '/auth' && mode.acceptPlain) acceptPlainAuthorization(ctx);
    if (ctx.path === '/token' && ctx.method === 'POST' && tampersWithTokenRequests(mode)) {
      await tamperTokenRequest(ctx, mode, store);
      if (ctx.status === 413) return;
    }
    // Auto-approve answers the interaction however a client reaches it: a browser GETs the page, the
    // harness's oidc-provider login driver POSTs the devInteractions form to it.
    if (autoApprove && (ctx.method === 'GET' || ctx.method === 'POST') && ctx.path.startsWith('/interaction/')) {
      await autoApproveInteraction(provider, ctx);
      return;
    }
    await next();
    if (mode.omitIss) stripIss(ctx, redirectUri);
    if (mode.acceptPlain && ctx.path === '/.well-known/openid-configuration') advertisePlain(ctx);
  });

  return { provider, store };
}

function describe(event: string, err: ProviderError): string {
  if (event === 'server_error') return redactDetail(`server_error: ${err.message}`);
  return redactDetail(err.error_detail ?? err.error_description ?? err.error ?? 'unknown');
}

/**
 * The "IdP stops accepting S256" fault: renaming the method makes oidc-provider itself answer with
 * its real error redirect (`invalid_request`, "not supported value of code_challenge_method", `iss`,
 * `state`), exactly as an IdP without S256 support would. Only GET /auth carries the parameter in
 * the query; a form-posted /auth is left alone.
 */
function rejectS256(ctx: KoaContext): void {
  const query = new URLSearchParams(ctx.querystring);
  if (query.get('code_challenge_method') !== 'S256') return;
  query.set('code_challenge_method', 'S256-rejected-by-fault');
  ctx.querystring = query.toString();
}

/**
 * Logs in and consents in one step, so a flow is /auth → /interaction/{uid} → /auth/{uid} → code.
 * The account is `login_hint` when given, else alice.
 */
async function autoApproveInteraction(provider: Provider, ctx: KoaContext): Promise<void> {
  const { params, session, grantId } = await provider.interactionDetails(ctx.req, ctx.res);
  const hint = typeof params.login_hint === 'string' && params.login_hint !== '' ? params.login_hint : undefined;
  const accountId = session?.accountId ?? hint ?? AUTO_APPROVE_ACCOUNT;
  let consentGrantId = grantId;
  if (consentGrantId === undefined) {
    const grant = new provider.Grant({ accountId, clientId: String(params.client_id) });
    grant.addOIDCScope(String(params.scope ?? 'openid'));
    consentGrantId = await grant.save();
  }
  const result = { login: { accountId }, consent: { grantId: consentGrantId } };
  // interactionFinished writes the 303 itself.
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
}
