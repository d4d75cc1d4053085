/**
 * Client-credentials mode (RFC 6749 §4.4): machine-to-machine token requests at the scheduled
 * rate, authenticated as the scenario's confidential client. No user, no browser, no PKCE: this is
 * the token endpoint's other big customer.
 */
import { performance } from 'node:perf_hooks';
import { FlowSession } from '../../flow/session.ts';
import { readTokenResponse, sendTokenRequest } from '../../flow/token-request.ts';
import type { WorkloadKind } from './types.ts';

/** The client-credentials workload. */
export const clientCredentialsWorkload: WorkloadKind = {
  name: 'client_credentials',
  create({ ctx, onFlow }) {
    return {
      liveEndpoint: 'token',
      prepare: async () => undefined,
      async start(intendedAt) {
        const rec = ctx.recorder;
        const session = new FlowSession(ctx.http, rec, ctx.onSecret);
        const sentAt = performance.now();
        const res = await sendTokenRequest(ctx, session, 'token', 'grant_type=client_credentials');
        let ok = false;
        if (res) {
          ok = readTokenResponse(session, 'token', res) !== null;
          rec.exchange('token', res.serviceUs, Math.max((performance.now() - intendedAt) * 1000, res.serviceUs), ok);
        }
        const end = performance.now();
        rec.flowEnded(ok, (end - intendedAt) * 1000, (end - sentAt) * 1000);
        onFlow?.({ intendedAt, startedAt: sentAt, endedAt: end, ok });
        return ok;
      },
      windDown: () => undefined,
      [Symbol.asyncDispose]: async () => undefined,
    };
  },
};
