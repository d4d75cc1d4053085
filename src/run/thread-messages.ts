/**
 * Messages between `run --threads N` and its load threads (typed, as STYLE.md asks of threads).
 */
import type { Segment } from '../load/segment.ts';
import type { LoadProgress } from './measure.ts';
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

/** One live sample of a thread's load, as its measured window reports it. */
export type ThreadProgressSample = Parameters<LoadProgress['update']>[0];

/** What a load thread posts: live samples while it runs, then its report or its error. */
export type ThreadMessage =
  | { type: 'progress'; sample: ThreadProgressSample }
  | { type: 'report'; report: Report; interrupted: boolean }
  | { type: 'error'; code: string; message: string };
