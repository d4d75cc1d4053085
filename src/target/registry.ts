/**
 * Target kinds, first match wins. To add a kind (Keycloak with its own start-up, a scripted
 * target): write a {@link TargetKind} in its own file and add it here.
 */
import { TokenstormError } from '../errors.ts';
import type { RunPlan } from '../scenario/types.ts';
import { embeddedTargetKind } from './embedded.ts';
import { remoteTargetKind } from './remote.ts';
import type { Target, TargetKind, TargetOpenOptions } from './types.ts';

/** The registry. */
export const TARGET_KINDS: readonly TargetKind[] = [remoteTargetKind, embeddedTargetKind];

/** The kind that serves this plan; its `check` has run (usage errors before anything starts). */
export function targetKindFor(plan: RunPlan, options: TargetOpenOptions): TargetKind {
  const kind = TARGET_KINDS.find((k) => k.accepts(plan, options));
  if (!kind) throw new TokenstormError('ERR_USAGE', 'no target kind accepts this scenario');
  kind.check?.(plan, options);
  return kind;
}

/**
 * Opens the plan's target: starts the embedded IdP, or prepares a remote issuer.
 *
 * @example
 * await using target = await openTarget(plan, { issuer: null });
 */
export function openTarget(plan: RunPlan, options: TargetOpenOptions): Promise<Target> {
  return targetKindFor(plan, options).open(plan, options);
}
