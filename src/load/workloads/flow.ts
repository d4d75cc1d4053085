/**
 * Flow mode: every unit is a whole authorize → login → callback → token flow; while a `clientMix`
 * fault is active, a share of them is played by a buggy client instead.
 */
import { runBuggyFlow } from '../../flow/buggy-client.ts';
import { runFlow } from '../../flow/pkce-flow.ts';
import type { WorkloadKind } from './types.ts';

/** The default workload. */
export const flowWorkload: WorkloadKind = {
  name: 'flow',
  create({ ctx, clientMix }) {
    return {
      liveEndpoint: 'flow',
      prepare: async () => undefined,
      async start(intendedAt) {
        const buggy = clientMix?.draw() ?? null;
        if (buggy === null) return runFlow(ctx, intendedAt);
        const r = await runBuggyFlow(ctx, buggy, intendedAt);
        clientMix!.count(r);
        return r.ok;
      },
      windDown: () => undefined,
      [Symbol.asyncDispose]: async () => undefined,
    };
  },
};
