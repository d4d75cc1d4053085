/**
 * Refresh mode: each simulated user holds a refresh token (from one full flow before the clock
 * starts) and redeems it at the scheduled rate, following rotation. A user is never used by two
 * requests at once (that would be a reuse, not load); an arrival that finds every user busy is
 * dropped. A user whose token the IdP refused for good (reuse, expiry, revocation) logs in again in
 * the background so the pool keeps its size.
 */
import { performance } from 'node:perf_hooks';
import { TokenstormError } from '../../errors.ts';
import { exchangeCode, obtainCode } from '../../flow/pkce-flow.ts';
import { formValue } from '../../flow/http.ts';
import { FlowSession } from '../../flow/session.ts';
import { readTokenResponse, sendTokenRequest } from '../../flow/token-request.ts';
import type { FlowContext } from '../../flow/pkce-flow.ts';
import type { WorkloadKind } from './types.ts';

// Logins in parallel while preparing the users.
const LOGIN_BATCH = 8;

/** One full flow; resolves with its refresh token, or null (failure recorded). */
async function login(ctx: FlowContext): Promise<string | null> {
  const session = new FlowSession(ctx.http, ctx.recorder, ctx.onSecret);
  const got = await obtainCode(ctx, session);
  if (!got) return null;
  let refreshToken: string | null = null;
  await exchangeCode(ctx, session, got, { onTokens: (t) => (refreshToken = t.refreshToken ?? null) });
  return refreshToken;
}

/** The refresh-token workload. */
export const refreshWorkload: WorkloadKind = {
  name: 'refresh',
  create({ plan, ctx, onFlow }) {
    const idle: string[] = [];
    const relogins = new Set<Promise<void>>();
    let stopped = false;
    const relogin = (): void => {
      if (stopped) return;
      const p = login(ctx).then((rt) => {
        if (rt && !stopped) idle.push(rt);
      });
      relogins.add(p);
      void p.finally(() => relogins.delete(p));
    };
    return {
      liveEndpoint: 'refresh',
      async prepare(signal) {
        const want = plan.refresh.sessions;
        let attempts = 0;
        while (idle.length < want && attempts < want * 2 && !signal?.aborted) {
          const batch = Math.min(LOGIN_BATCH, want - idle.length);
          attempts += batch;
          const got = await Promise.all(Array.from({ length: batch }, () => login(ctx)));
          for (const rt of got) if (rt) idle.push(rt);
        }
        if (signal?.aborted) throw new TokenstormError('ERR_INTERRUPTED', 'interrupted before the load started');
        if (idle.length === 0) {
          throw new TokenstormError('ERR_TARGET_UNSUITABLE', `the target issued no refresh token in ${attempts} logins`, {
            hint: "allow the refresh_token grant for the client (Keycloak: on by default; others may need 'offline_access' in target.scope)",
          });
        }
      },
      canStart: () => idle.length > 0,
      async start(intendedAt) {
        const rec = ctx.recorder;
        const token = idle.pop();
        if (token === undefined) {
          rec.flowEnded(false, (performance.now() - intendedAt) * 1000, 0);
          rec.failure({ failureClass: 'other', endpoint: 'refresh', description: 'every simulated user was busy' });
          return false;
        }
        const session = new FlowSession(ctx.http, rec, ctx.onSecret);
        const sentAt = performance.now();
        const res = await sendTokenRequest(ctx, session, 'refresh', `grant_type=refresh_token&refresh_token=${formValue(token)}`);
        let ok = false;
        if (!res) {
          // Transport failure: the IdP may never have seen it, so the user keeps its token.
          idle.push(token);
        } else {
          const tokens = readTokenResponse(session, 'refresh', res);
          ok = tokens !== null;
          if (tokens) idle.push(tokens.refreshToken ?? token);
          else if (res.status >= 500) idle.push(token);
          else relogin();
          const latencyUs = (performance.now() - intendedAt) * 1000;
          rec.exchange('refresh', res.serviceUs, Math.max(latencyUs, res.serviceUs), ok);
        }
        const end = performance.now();
        rec.flowEnded(ok, (end - intendedAt) * 1000, (end - sentAt) * 1000);
        onFlow?.({ intendedAt, startedAt: sentAt, endedAt: end, ok });
        return ok;
      },
      windDown() {
        stopped = true;
      },
      async [Symbol.asyncDispose]() {
        stopped = true;
        await Promise.allSettled([...relogins]);
      },
    };
  },
};
