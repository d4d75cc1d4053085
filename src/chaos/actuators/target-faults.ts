/**
 * Faults the target itself applies: its clock (the embedded IdP moves its own; a remote target
 * moves the harness-side clock the other way) and its misbehaviour modes (embedded IdP only).
 */
import type { FaultKind } from './types.ts';

/** IdP clock skew. */
export const clockSkewFault: FaultKind = {
  name: 'clockSkew',
  matches: (f) => f.clockSkewMs !== undefined,
  actuator: (s) => s.target.actuators.clockSkew ?? { unavailable: `the ${s.target.kind} target cannot skew its clock` },
};

/** An IdP misbehaviour mode (reject S256, …). */
export const idpModeFault: FaultKind = {
  name: 'idpMode',
  matches: (f) => f.idpMode !== undefined,
  actuator: (s) =>
    s.target.actuators.idpMode ?? { unavailable: `idpMode faults need the embedded IdP, and the target is ${s.target.kind} (drop --issuer / target.issuer)` },
};
