/**
 * Harness priming: a few whole flows, one after another, before the clock starts. A fresh harness
 * process runs its flow code, its HTTP client, cookie jars and token verification for the first
 * time in the run's first second, and that second's flow p99 was 3–8× the steady state in
 * `bench startup`-style runs at 200 flows/s (86–118 ms against 10–15 ms); 20 flows first brought it
 * to 28–37 ms. The flows are not measured and not shown to flow observers.
 */
import { performance } from 'node:perf_hooks';
import { type FlowContext, runFlow } from './pkce-flow.ts';

/** Priming never takes longer than this, whatever the target does. */
export const PRIME_DEADLINE_MS = 5000;

/**
 * Runs up to `count` flows sequentially on a copy of `ctx` without its flow observer; stops at
 * the first failed flow (a target that fails is not warmed by more of them), at the deadline or
 * on abort. Resolves with the number of flows that succeeded.
 *
 * @example
 * const primed = await primeHarness(ctx, plan.primeFlows, signal);
 */
export async function primeHarness(ctx: FlowContext, count: number, signal: AbortSignal, deadlineMs = PRIME_DEADLINE_MS): Promise<number> {
  const quiet: FlowContext = { ...ctx, onFlow: undefined };
  const endAt = performance.now() + deadlineMs;
  let ok = 0;
  while (ok < count && !signal.aborted && performance.now() < endAt) {
    if (!(await runFlow(quiet, performance.now()))) break;
    ok++;
  }
  return ok;
}
