/**
 * Token mode: codes are obtained ahead of time (a bank refilled by background logins) so that the
 * scheduled rate applies to the token endpoint alone, as a CI regression gate on token p95 needs.
 */
import { performance } from 'node:perf_hooks';
import { TokenstormError } from '../../errors.ts';
import { exchangeCode, type ObtainedCode, obtainCode } from '../../flow/pkce-flow.ts';
import { FlowSession } from '../../flow/session.ts';
import { systemClock } from '../clock.ts';
import { CodeBank } from '../code-bank.ts';
import type { WorkloadKind } from './types.ts';

/** How long the bank may take to fill before the load starts. */
const FILL_TIMEOUT_MS = 30_000;

/** Token-exchange workload over a code bank. */
export const tokenWorkload: WorkloadKind = {
  name: 'token',
  create({ plan, ctx, onFlow }) {
    const bank = new CodeBank<ObtainedCode>({
      clock: systemClock,
      size: plan.codeBank.size,
      maxAgeMs: plan.codeBank.maxAgeMs,
      producers: plan.codeBank.producers,
      produce: () => obtainCode(ctx, new FlowSession(ctx.http, ctx.recorder, ctx.onSecret)),
    });
    let stopped: Promise<void> | null = null;
    const stop = (): Promise<void> => {
      stopped ??= bank.stop();
      return stopped;
    };
    return {
      liveEndpoint: 'token',
      async prepare(signal) {
        // Bank codes before the clock starts, so the first exchanges are not starved.
        bank.start();
        await bank.filled(FILL_TIMEOUT_MS, signal);
        if (signal?.aborted) throw new TokenstormError('ERR_INTERRUPTED', 'interrupted before the load started');
      },
      canStart: () => bank.hasStock(),
      async start(intendedAt) {
        const rec = ctx.recorder;
        const got = bank.take();
        if (!got) {
          rec.flowEnded(false, (performance.now() - intendedAt) * 1000, 0);
          rec.failure({ failureClass: 'other', endpoint: 'token', description: 'code bank had only stale codes' });
          return false;
        }
        const sentAt = performance.now();
        const ok = await exchangeCode(ctx, new FlowSession(ctx.http, rec, ctx.onSecret), got, { intendedAt });
        const end = performance.now();
        rec.flowEnded(ok, (end - intendedAt) * 1000, (end - sentAt) * 1000);
        onFlow?.({ intendedAt, startedAt: sentAt, endedAt: end, ok });
        return ok;
      },
      // Stopped first at wind-down (no new logins), awaited at disposal, after HTTP is closed, so
      // in-flight productions fail fast instead of running into their timeouts.
      windDown: () => void stop(),
      [Symbol.asyncDispose]: stop,
    };
  },
};
