/**
 * Evaluates a bundled `.ts` scenario module in a worker thread with a deadline. A scenario file is
 * code: one whose default export never settles, or that loops forever, must not hang the CLI. The
 * worker is terminated at the deadline (V8 stops even a busy loop) and its heap is capped; what
 * crosses back is the structured-clone of the default export, i.e. plain data.
 */
import { Worker } from 'node:worker_threads';

/** How long a scenario module may take to load and produce its default export, ms. */
export const SCENARIO_EVAL_TIMEOUT_MS = 5000;

/** What the worker reports. */
export type EvalOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'no-default' }
  | { kind: 'threw'; message: string }
  | { kind: 'load-failed'; message: string }
  | { kind: 'not-data'; message: string }
  | { kind: 'never-settled' }
  | { kind: 'timeout'; timeoutMs: number };

// Runs in the worker (CommonJS eval): import, call a function export, await it, post the value.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const msg = (e) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));
(async () => {
  let mod;
  try { mod = await import(workerData.url); } catch (e) { parentPort.postMessage({ kind: 'load-failed', message: msg(e) }); return; }
  let value = mod.default;
  if (value === undefined) { parentPort.postMessage({ kind: 'no-default' }); return; }
  if (typeof value === 'function') {
    try { value = await value(); } catch (e) { parentPort.postMessage({ kind: 'threw', message: msg(e) }); return; }
  }
  try { parentPort.postMessage({ kind: 'ok', value }); } catch (e) { parentPort.postMessage({ kind: 'not-data', message: msg(e) }); }
})();
`;

/**
 * Imports the module at `url` in a worker and returns its default export (called and awaited when
 * it is a function), or why not. Never rejects; never takes longer than `timeoutMs` (plus the
 * worker's start-up).
 *
 * @example
 * const out = await evaluateScenarioModule(pathToFileURL('/tmp/x/scenario.mjs').href);
 * if (out.kind === 'ok') validateScenario(out.value, 'x.ts');
 */
export function evaluateScenarioModule(url: string, timeoutMs = SCENARIO_EVAL_TIMEOUT_MS): Promise<EvalOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url },
      // A scenario is a small object: a module that allocates without end is stopped, not the CLI.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const done = (outcome: EvalOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', timeoutMs }), timeoutMs);
    worker.once('message', (m: EvalOutcome) => done(m));
    worker.once('error', (err) => done({ kind: 'load-failed', message: err instanceof Error ? err.message : String(err) }));
    // The worker's loop ran dry with no answer: the default export's promise can never settle.
    worker.once('exit', () => done({ kind: 'never-settled' }));
  });
}
