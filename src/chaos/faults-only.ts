/**
 * The fault timeline without load (`tokenstorm faults`): a k6 or multi-machine run gets the same
 * game-day faults, at the same times and with the same phase names, as `tokenstorm run` would
 * apply. Only network faults (toxics, down) act here — they need nothing but the proxies; clock
 * skew and IdP modes need the embedded IdP in the same process and are listed as skipped.
 * The phases come back on the wall clock, so `import k6 --phases` can cut k6's points by them.
 */
import { TokenstormError } from '../errors.ts';
import type { Route, RouteTarget } from '../flow/http.ts';
import { systemClock } from '../load/clock.ts';
import type { Fault, RunPlan } from '../scenario/types.ts';
import { FaultLayer } from './fault-layer.ts';
import { startTimeline, type TimelineError } from './timeline.ts';

/** A phase on the wall clock. */
export interface WallPhase {
  name: string;
  startedAt: string;
  endedAt: string;
  faults: string[];
}

/** Where the faults act. */
export type FaultProxies =
  /** Create `tokenstorm-faults-<route>` proxies in front of this upstream (removed at the end). */
  | { upstream: RouteTarget }
  /** Use existing proxies `<prefix>-authorize` and `<prefix>-token`. */
  | { attachPrefix: string };

/** Options for {@link runFaultsOnly}. */
export interface FaultsOnlyOptions {
  /** Toxiproxy API; null = the embedded fault server, in this process. */
  toxiproxyUrl: string | null;
  proxies: FaultProxies;
  signal?: AbortSignal;
  /** Called once the proxies are ready (before the first fault), with where each route listens. */
  onReady?: (routes: Partial<Record<Route, RouteTarget>>) => void;
}

/** What the timeline did. */
export interface FaultsOnlyResult {
  phases: WallPhase[];
  errors: TimelineError[];
  skipped: string[];
  interrupted: boolean;
}

const isNetwork = (f: Fault): boolean => f.toxic !== undefined || f.down === true;

/**
 * Runs the plan's network faults on its timeline for the plan's duration, then removes them.
 *
 * @example
 * const { phases } = await runFaultsOnly(plan, { toxiproxyUrl: 'http://127.0.0.1:8474', proxies: { attachPrefix: 'idp' } });
 */
export async function runFaultsOnly(plan: RunPlan, opts: FaultsOnlyOptions): Promise<FaultsOnlyResult> {
  const network = plan.faults.filter(isNetwork);
  const skipped = plan.faults.filter((f) => !isNetwork(f)).map((f) => `${f.name}: needs the embedded IdP in the same process (run it with 'tokenstorm run')`);
  if (network.length === 0 && skipped.length === 0) throw new TokenstormError('ERR_USAGE', `scenario ${plan.name} has no faults`);
  const layer = await FaultLayer.open(opts.toxiproxyUrl);
  const phases: WallPhase[] = [];
  let interrupted = false;
  try {
    let routes: Partial<Record<Route, RouteTarget>> = {};
    if ('upstream' in opts.proxies) routes = await layer.createRoutes(opts.proxies.upstream, 'faults');
    else await layer.adoptRoutes(opts.proxies.attachPrefix);
    opts.onReady?.(routes);
    let current = { name: 'baseline', startedAt: new Date().toISOString(), faults: [] as string[] };
    const t0 = systemClock.now();
    const timeline = startTimeline(
      network,
      { apply: (fault, index) => layer.apply(fault, index) },
      (name, faults) => {
        const now = new Date().toISOString();
        phases.push({ ...current, endedAt: now });
        current = { name, startedAt: now, faults };
      },
      systemClock,
      t0,
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, plan.totalDurationMs);
      opts.signal?.addEventListener(
        'abort',
        () => {
          interrupted = true;
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
      if (opts.signal?.aborted) {
        interrupted = true;
        clearTimeout(timer);
        resolve();
      }
    });
    await timeline.stop();
    phases.push({ ...current, endedAt: new Date().toISOString() });
    return { phases, errors: timeline.errors, skipped, interrupted };
  } finally {
    await layer.close();
  }
}
