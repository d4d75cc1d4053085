/**
 * Network faults (a Toxiproxy toxic on a route, or the route's proxy down) go through the fault
 * layer; with --direct there is none, so a scenario with network faults cannot run.
 */
import type { ActuatorSources, FaultActuator, FaultKind } from './types.ts';

function viaFaultLayer(sources: ActuatorSources): FaultActuator | { unavailable: string } {
  const layer = sources.faultLayer;
  if (!layer) return { unavailable: 'it needs the fault proxies, which --direct turns off' };
  return { apply: (fault, index) => layer.apply(fault, index) };
}

/** A Toxiproxy toxic on the fault's route(s). */
export const toxicFault: FaultKind = {
  name: 'toxic',
  matches: (f) => f.toxic !== undefined,
  actuator: viaFaultLayer,
};

/** The route's proxy disabled (connections refused and cut). */
export const downFault: FaultKind = {
  name: 'down',
  matches: (f) => f.down === true,
  actuator: viaFaultLayer,
};
