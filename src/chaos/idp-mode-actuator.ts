/**
 * The `idpMode` fault actuator: switches the embedded IdP into a named mode for the fault window
 * (an outage such as `reject-s256`, or one of the deliberately vulnerable modes) and back.
 */
import type { EmbeddedIdp } from '../idp/embedded-idp.ts';
import { type IdpModeName, idpModeFromNames } from '../idp/modes.ts';

/**
 * Applies `name` to `idp`; the returned undo restores correct behaviour.
 *
 * @example
 * // in the fault timeline's apply():
 * if (fault.idpMode && theIdp) return applyIdpMode(theIdp, fault.idpMode);
 */
export async function applyIdpMode(idp: Pick<EmbeddedIdp, 'setMode'>, name: IdpModeName): Promise<{ undo: () => Promise<void> }> {
  await idp.setMode(idpModeFromNames([name]));
  return { undo: () => idp.setMode({}) };
}
