/**
 * The embedded IdP's fault modes by name, as scenarios (`idpMode`) and `tokenstorm idp --mode` spell
 * them. `reject-s256` is an outage; the others are deliberate security holes for the probes.
 */
import type { IdpMode } from './messages.ts';

/** Mode names and the IdpMode flag each sets. */
const MODE_FLAGS = {
  'reject-s256': 'rejectS256',
  'accept-any-verifier': 'acceptAnyVerifier',
  'accept-plain': 'acceptPlain',
  'reusable-codes': 'reusableCodes',
  'ignore-pkce': 'ignorePkce',
  'no-iss': 'omitIss',
  'ignore-code-expiry': 'ignoreCodeExpiry',
  'ignore-redirect-uri': 'ignoreRedirectUri',
  'ignore-client': 'ignoreClientBinding',
} as const satisfies Record<string, keyof IdpMode>;

/** A mode's name. */
export type IdpModeName = keyof typeof MODE_FLAGS;

/** Every mode name, in a stable order (help texts, validation messages). */
export const IDP_MODE_NAMES = Object.keys(MODE_FLAGS) as IdpModeName[];

/** True when `name` is a mode name. */
export function isIdpModeName(name: string): name is IdpModeName {
  return Object.hasOwn(MODE_FLAGS, name);
}

/**
 * The IdpMode that switches on all the named modes.
 *
 * @example
 * idpModeFromNames(['accept-any-verifier', 'no-iss']); // { acceptAnyVerifier: true, omitIss: true }
 */
export function idpModeFromNames(names: readonly IdpModeName[]): IdpMode {
  const mode: IdpMode = {};
  for (const n of names) mode[MODE_FLAGS[n]] = true;
  return mode;
}
