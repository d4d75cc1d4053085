/**
 * Fault actuators: what makes a scheduled fault happen. Each fault kind (network toxic, route down,
 * clock skew, IdP mode, …) is one entry in ./registry.ts; the timeline looks a fault's kind up and
 * never switches on it. A fault no actuator of this run can apply is an error before the run starts.
 */
import type { Fault } from '../../scenario/types.ts';
import type { ClientMix } from '../../load/client-mix.ts';
import type { FaultLayer } from '../fault-layer.ts';

/** An applied fault; `undo()` takes it back. */
export interface AppliedFault {
  undo(): Promise<void>;
}

/** Applies one kind of fault. */
export interface FaultActuator {
  apply(fault: Fault, index: number): Promise<AppliedFault>;
}

/** Fault actuators a target brings with it (the embedded IdP can move its clock; a remote one cannot). */
export interface TargetActuators {
  clockSkew?: FaultActuator;
  idpMode?: FaultActuator;
}

/** What a run offers the fault kinds: its fault layer (null with --direct), its target's actuators, the client mix. */
export interface ActuatorSources {
  faultLayer: FaultLayer | null;
  /** The flow workload's buggy-client share; absent when the workload has none. */
  clientMix?: ClientMix;
  target: { readonly kind: string; readonly actuators: TargetActuators };
}

/** One fault kind: how to recognise it and who applies it in this run. */
export interface FaultKind {
  readonly name: string;
  /** True when `fault` is of this kind (exactly one kind matches a validated fault). */
  matches(fault: Fault): boolean;
  /** This run's actuator, or why there is none (turned into a usage error naming the fault). */
  actuator(sources: ActuatorSources): FaultActuator | { unavailable: string };
}
