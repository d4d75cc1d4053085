/**
 * Messages between `run --threads N` and its load threads (typed, as STYLE.md asks of threads).
 */
import type { Segment } from '../load/segment.ts';
import type { Report } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';

/** workerData of a load thread. */
export interface ThreadInput {
  plan: RunPlan;
  issuer: string;
  segment: Segment;
  outDir: string;
  workers: number | undefined;
  runId: string;
}

/** What a load thread posts when it is done. */
export type ThreadMessage = { type: 'report'; report: Report; interrupted: boolean } | { type: 'error'; code: string; message: string };
