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
