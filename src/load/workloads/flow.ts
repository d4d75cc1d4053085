/** Flow mode: every unit is a whole authorize → login → callback → token flow. */
import { runFlow } from '../../flow/pkce-flow.ts';
import type { WorkloadKind } from './types.ts';

/** The default workload. */
export const flowWorkload: WorkloadKind = {
  name: 'flow',
  create({ ctx }) {
    return {
      liveEndpoint: 'flow',
      prepare: async () => undefined,
      start: (intendedAt) => runFlow(ctx, intendedAt),
      windDown: () => undefined,
      [Symbol.asyncDispose]: async () => undefined,
    };
  },
};
