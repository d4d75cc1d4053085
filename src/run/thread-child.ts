/**
 * One load thread of `run --threads N`: runs its execution segment of the plan against the given
 * issuer (the load only: no faults, no live exporters) and posts its report back. Messages are
 * typed in ./thread-messages.ts; the report crosses as plain JSON (histograms already encoded).
 */
import '../shim.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { runPlan } from '../run.ts';
import type { ThreadInput, ThreadMessage } from './thread-messages.ts';

const input = workerData as ThreadInput;
const abort = new AbortController();
parentPort?.on('message', (m: { type: 'abort' }) => {
  if (m.type === 'abort') abort.abort();
});
const post = (m: ThreadMessage): void => parentPort?.postMessage(m);

try {
  const outcome = await runPlan(input.plan, {
    issuer: input.issuer,
    direct: true,
    segment: input.segment,
    outDir: input.outDir,
    workers: input.workers,
    signal: abort.signal,
    // Live samples go to the parent, which merges the threads' into one progress display.
    progress: { update: (sample) => post({ type: 'progress', sample }), stop() {} },
    runId: `${input.runId}-t${input.segment.index}`,
  });
  post({ type: 'report', report: outcome.report, interrupted: outcome.interrupted });
} catch (err) {
  const code = (err as { code?: unknown }).code;
  post({ type: 'error', code: typeof code === 'string' ? code : 'ERR_INTERNAL', message: err instanceof Error ? err.message : String(err) });
}
