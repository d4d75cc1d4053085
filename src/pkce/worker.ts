/**
 * Piscina worker: fills one batch of verifier/challenge pairs and moves its buffer to the main
 * thread (zero-copy transfer). Located with `entryFile('pkce/worker')`.
 */
import { move } from 'piscina';
import { fillBatch } from './batch.ts';

/** The message a worker receives. */
export interface FillBatchTask {
  count: number;
  verifierLength: number;
}

/** Fills one batch (see batch.ts for the layout) and transfers it. */
export default function fillBatchTask(task: FillBatchTask): unknown {
  return move(fillBatch(task.count, task.verifierLength));
}
