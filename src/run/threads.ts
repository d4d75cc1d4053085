/**
 * `run --threads N`: the load in N worker threads, each an execution segment of the arrival
 * schedule (arrival k runs in thread k mod N, at its whole-schedule time), merged into one report
 * with report/merge.ts — exactly the `--segment i/N` + `tokenstorm merge` split, inside one
 * process. Without `--issuer` the embedded IdP is started here, once, and every thread targets it
 * as an issuer (so its public client only, and no IdP CPU in the self-check). Threads run the load
 * only: a scenario with faults is refused (run them with `tokenstorm faults` alongside).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TokenstormError } from '../errors.ts';
import { startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { entryFile } from '../paths.ts';
import type { Report } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';
import type { LoadProgress } from './measure.ts';
import type { ThreadInput, ThreadMessage, ThreadProgressSample } from './thread-messages.ts';

/** Options of {@link runThreads}. */
export interface ThreadsOptions {
  threads: number;
  /** Remote issuer; null starts the embedded IdP once for all threads. */
  issuer: string | null;
  /** Verifier pool workers per thread (default: as runPlan chooses for the thread's share of the rate). */
  workers?: number;
  runId: string;
  signal?: AbortSignal;
  /** Live progress, merged from every thread's samples (see {@link mergeProgress}). */
  progress?: LoadProgress | null;
}

/** The threads' reports (one per segment, in order) and whether any was interrupted. */
export interface ThreadsOutcome {
  reports: Report[];
  interrupted: boolean;
}

/**
 * Refuses what threads cannot do, in one line each (ERR_USAGE).
 *
 * @example
 * checkThreadable(plan, null);
 */
export function checkThreadable(plan: RunPlan, issuer: string | null): void {
  if (plan.model === 'closed') {
    throw new TokenstormError('ERR_USAGE', `--threads splits an arrival schedule; scenario ${plan.name} uses the closed model (fixed VUs)`);
  }
  if (plan.search) {
    throw new TokenstormError('ERR_USAGE', `--threads splits a fixed arrival schedule; scenario ${plan.name} searches for the knee`, { hint: 'drop --threads' });
  }
  if (plan.faults.length > 0) {
    throw new TokenstormError('ERR_USAGE', `--threads runs the load only; scenario ${plan.name} has faults`, { hint: 'run them with `tokenstorm faults` alongside, or drop --threads' });
  }
  if (issuer === null && plan.target.client.auth !== 'none') {
    throw new TokenstormError('ERR_USAGE', `--threads against the embedded IdP uses its public client; scenario ${plan.name} sets target.client.auth ${plan.target.client.auth}`, {
      hint: 'give --issuer with credentials in the scenario, or drop --threads',
    });
  }
}

/**
 * One live sample for the whole run from the threads' latest: rates, in-flight counts and errors
 * add up; elapsed time is the furthest thread's; p95 is the highest of the threads' recent p95s
 * (an upper bound of the merged one, which live samples cannot compute); the phase is thread 0's.
 *
 * @example
 * mergeProgress([a, b]); // { ratePerSec: a.ratePerSec + b.ratePerSec, p95Ms: Math.max(a.p95Ms, b.p95Ms), … }
 */
export function mergeProgress(samples: readonly ThreadProgressSample[]): ThreadProgressSample {
  return {
    elapsedMs: Math.max(0, ...samples.map((s) => s.elapsedMs)),
    ratePerSec: samples.reduce((a, s) => a + s.ratePerSec, 0),
    inFlight: samples.reduce((a, s) => a + s.inFlight, 0),
    p95Ms: Math.max(0, ...samples.map((s) => s.p95Ms)),
    errors: samples.reduce((a, s) => a + s.errors, 0),
    phase: samples[0]?.phase ?? '',
  };
}

function runThread(
  input: ThreadInput,
  signal: AbortSignal | undefined,
  onProgress: (sample: ThreadProgressSample) => void,
): Promise<{ report: Report; interrupted: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entryFile('run/thread-child'), { workerData: input });
    let settled = false;
    const onAbort = (): void => worker.postMessage({ type: 'abort' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // The thread's run has disposed what it opened; whatever handle is left must not keep the process alive.
      void worker.terminate();
      f();
    };
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'progress') {
        if (!settled) onProgress(m.sample);
      } else if (m.type === 'report') done(() => resolve({ report: m.report, interrupted: m.interrupted }));
      else done(() => reject(new TokenstormError(m.code as 'ERR_INTERNAL', `thread ${input.segment.index}: ${m.message}`)));
    });
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) => done(() => reject(new TokenstormError('ERR_INTERNAL', `thread ${input.segment.index} exited (${code}) without a report`))));
  });
}

/**
 * Runs the plan in `threads` worker threads and returns their reports (merge them with
 * `mergeReports`).
 *
 * @example
 * const { reports } = await runThreads(plan, { threads: 2, issuer: null, runId });
 * const { report } = mergeReports(reports.map((r, i) => ({ report: r, label: `thread ${i}` })));
 */
export async function runThreads(plan: RunPlan, options: ThreadsOptions): Promise<ThreadsOutcome> {
  checkThreadable(plan, options.issuer);
  const outDir = await mkdtemp(join(tmpdir(), 'tokenstorm-threads-'));
  const idp = options.issuer === null ? await startEmbeddedIdp({ codeTtlSec: plan.target.codeTtlSec }) : null;
  try {
    const issuer = idp ? idp.issuer : options.issuer!;
    // The embedded IdP targeted as an issuer: its public client and redirect URI.
    const threadPlan: RunPlan = idp ? { ...plan, target: { ...plan.target, clientId: idp.clientId, redirectUri: idp.redirectUri } } : plan;
    const latest = new Map<number, ThreadProgressSample>();
    const parts = await Promise.all(
      Array.from({ length: options.threads }, (_, index) =>
        runThread(
          { plan: threadPlan, issuer, segment: { index, count: options.threads }, outDir, workers: options.workers, runId: options.runId },
          options.signal,
          (sample) => {
            latest.set(index, sample);
            options.progress?.update(mergeProgress([...latest.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s)));
          },
        ),
      ),
    ).finally(() => options.progress?.stop());
    return { reports: parts.map((p) => p.report), interrupted: parts.some((p) => p.interrupted) };
  } finally {
    await idp?.stop();
    await rm(outDir, { recursive: true, force: true });
  }
}
