/**
 * Login drivers take a flow from the authorization request to the authorization response (the
 * redirect to redirect_uri), whatever the IdP's login pages look like. The interface lives here
 * because the flow consumes it; the drivers themselves (oidc-provider, form, keycloak, script) live
 * in src/target/login/ and are looked up by name in its registry.
 */
import type { EndpointClass } from '../report/schema.ts';
import type { FlowSession } from './session.ts';
import type { FlowTarget } from './target.ts';

/** Where the login ended: the authorization response URL and the endpoint class that produced it. */
export interface LoginResult {
  callbackUrl: URL;
  endpoint: EndpointClass;
}

/**
 * A login driver. Returns null when the flow failed, after recording the failure (with its class)
 * through the session. Every exchange it makes goes through `session.send` and is judged with
 * `session.record`.
 *
 * @example
 * const login: LoginDriver = await createLoginDriver({ driver: 'keycloak' });
 * const result = await login.run(session, target, authorizeUrl);
 */
export interface LoginDriver {
  readonly name: string;
  run(session: FlowSession, target: FlowTarget, authorizeUrl: URL): Promise<LoginResult | null>;
}
