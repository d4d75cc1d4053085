/**
 * Names the embedded IdP registers, shared by the child (which configures them) and the parent
 * (which reports them) without the parent importing oidc-provider.
 */

/** The public client the harness drives. */
export const CLIENT_ID = 'tokenstorm';
/** A second public client, for cross-client probes (a code of one redeemed by the other). */
export const SECOND_CLIENT_ID = 'tokenstorm-b';
/** Login names listed for people; devInteractions accepts any name. */
export const TEST_USERS = ['alice', 'bob'] as const;
/** Path of the redirect URI on the IdP's own origin. */
export const REDIRECT_PATH = '/cb';
/** Confidential client, `client_secret_basic`; also allowed the client_credentials grant. */
export const SECRET_BASIC_CLIENT_ID = 'tokenstorm-basic';
/** Confidential client, `client_secret_post`; also allowed the client_credentials grant. */
export const SECRET_POST_CLIENT_ID = 'tokenstorm-post';
/** Confidential client, `private_key_jwt` (RFC 7523) with an ES256 key the parent generates. */
export const PRIVATE_KEY_JWT_CLIENT_ID = 'tokenstorm-jwt';
/** Public client whose tokens are DPoP-bound (RFC 9449): a token request without a proof fails. */
export const DPOP_CLIENT_ID = 'tokenstorm-dpop';
