/**
 * A workload is what one unit of load does: a whole PKCE flow, one token exchange from a bank of
 * codes, and later a refresh, a client-credentials grant or a probe. Each kind is one file
 * implementing {@link WorkloadKind} plus one line in ./registry.ts; the executors only call
 * `start(intendedAt)`.
 */
import type { FlowContext, FlowObserver } from '../../flow/pkce-flow.ts';
import type { EndpointClass } from '../../report/schema.ts';
import type { ClientMix } from '../client-mix.ts';
import type { RunPlan } from '../../scenario/types.ts';

/** What a workload gets from the run. `ctx.recorder` is swapped for the measured one after `prepare`. */
export interface WorkloadEnv {
  plan: RunPlan;
  ctx: FlowContext;
  onFlow?: FlowObserver;
  /** Buggy-client share set by `clientMix` faults (flow mode). */
  clientMix?: ClientMix;
}

/** One run's workload; disposing it stops whatever it runs in the background. */
export interface Workload extends AsyncDisposable {
  /** Endpoint whose per-second p95 the live view and the liveness watch follow. */
  readonly liveEndpoint: EndpointClass;
  /** Work before the clock starts (token mode banks codes). Rejects when `signal` aborts it. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** Open model: false drops this arrival (e.g. no fresh code banked). */
  canStart?(): boolean;
  /**
   * One unit scheduled for `intendedAt` (performance.now() ms). Records its own outcome
   * (`flowEnded`, failures) in `ctx.recorder`; may reject only on a harness bug.
   */
  start(intendedAt: number): Promise<unknown>;
  /** Stops background production at the end of the load (no new logins); disposal awaits it. */
  windDown(): void;
}

/** One kind of workload, keyed by the scenario's `mode`. */
export interface WorkloadKind {
  readonly name: RunPlan['mode'];
  create(env: WorkloadEnv): Workload;
}
