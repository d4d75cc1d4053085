/**
 * Every fault kind, and the one actuator the timeline drives for a run. To add a fault kind: write
 * a {@link FaultKind} in its own file and add it to {@link FAULT_KINDS}.
 */
import { TokenstormError } from '../../errors.ts';
import type { Fault } from '../../scenario/types.ts';
import { clientMixFault } from './client-mix.ts';
import { downFault, toxicFault } from './network.ts';
import { clockSkewFault, idpModeFault } from './target-faults.ts';
import type { ActuatorSources, FaultActuator, FaultKind } from './types.ts';

/** The registry. */
export const FAULT_KINDS: readonly FaultKind[] = [toxicFault, downFault, clockSkewFault, idpModeFault, clientMixFault];

/**
 * Resolves an actuator for every fault of the plan before anything is scheduled, so a fault this
 * run cannot apply is a usage error (exit 2) instead of a silent no-op mid-run.
 *
 * @example
 * const actuator = resolveActuators(plan.faults, { faultLayer, target });
 * startTimeline(plan.faults, actuator, onPhase, systemClock, t0);
 */
export function resolveActuators(faults: readonly Fault[], sources: ActuatorSources): FaultActuator {
  const byFault = faults.map((fault) => {
    const kind = FAULT_KINDS.find((k) => k.matches(fault));
    if (!kind) throw new TokenstormError('ERR_SCENARIO_INVALID', `fault ${fault.name} is of no known kind`);
    const actuator = kind.actuator(sources);
    if ('unavailable' in actuator) {
      throw new TokenstormError('ERR_USAGE', `fault ${fault.name} (${kind.name}) cannot be applied in this run: ${actuator.unavailable}`);
    }
    return actuator;
  });
  return {
    apply(fault, index) {
      const actuator = byFault[index];
      if (!actuator) return Promise.reject(new TokenstormError('ERR_INTERNAL', `no actuator for fault #${index}`));
      return actuator.apply(fault, index);
    },
  };
}
