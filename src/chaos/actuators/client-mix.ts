/**
 * Buggy-client mixes (F1, F2, F5, F8, retry-reuse): for the fault window, a share of the flows
 * sends what a broken client sends. Nothing on the network changes; the flow workload reads the mix.
 */
import type { FaultKind } from './types.ts';

/** A buggy-client mix. */
export const clientMixFault: FaultKind = {
  name: 'clientMix',
  matches: (f) => f.clientMix !== undefined,
  actuator: (s) =>
    s.clientMix
      ? {
          async apply(fault) {
            s.clientMix!.set(fault.clientMix!);
            return { undo: async () => s.clientMix!.set(null) };
          },
        }
      : { unavailable: 'client mixes need the flow workload (mode flow)' },
};
