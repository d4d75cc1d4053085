/**
 * Building a {@link ProbeContext}: from an existing FlowContext (probe mixes inside a run) or from
 * scratch for `tokenstorm probe` (embedded IdP or a remote issuer, direct HTTP, inline PKCE pairs).
 */
import { performance } from 'node:perf_hooks';
import { HttpClient } from '../flow/http.ts';
import type { FlowContext } from '../flow/pkce-flow.ts';
import { discover, type FlowTarget } from '../flow/target.ts';
import { type EmbeddedIdp, type IdpMode, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { Recorder } from '../metrics/recorder.ts';
import { generatePair } from '../pkce/challenge.ts';
import type { RunPlan } from '../scenario/types.ts';
import { flowContextFor } from '../target/flow-context.ts';
import { targetKindFor } from '../target/registry.ts';
import type { ProbeContext } from './types.ts';

/** Default bound on a probe's waits (P11), s. */
export const DEFAULT_MAX_WAIT_SEC = 15;
/** Default concurrent redemptions of one code (P9). */
export const DEFAULT_PARALLEL_REDEMPTIONS = 8;

/** Options for {@link createProbeContext}. */
export interface ProbeContextOptions {
  /** Receives the probe traffic (own histograms, never the load's). Default: a fresh recorder. */
  recorder?: Recorder;
  /** Ask for refresh tokens (`offline_access` + `prompt=consent`) in the probes that need them. */
  offlineAccess?: boolean;
  secondClientId?: string | null;
  codeTtlSec?: number | null;
  maxWaitSec?: number;
  slow?: boolean;
  parallelRedemptions?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** `target` asking for refresh tokens; oidc-provider grants `offline_access` only with `prompt=consent`. */
function offlineTargetOf(target: FlowTarget): FlowTarget {
  const authorizationEndpoint = new URL(target.authorizationEndpoint.href);
  authorizationEndpoint.searchParams.set('prompt', 'consent');
  const scope = target.scope.split(' ').includes('offline_access') ? target.scope : `${target.scope} offline_access`;
  return { ...target, authorizationEndpoint, scope, issParameterSupported: false };
}

/**
 * A probe context over `flow`. The flows of the probes are lenient about a missing `iss` (the `iss`
 * probe judges that once, instead of every probe failing on it).
 *
 * @example
 * const pc = createProbeContext(ctx, { recorder: probeRecorder, secondClientId: idp.secondClientId, codeTtlSec: 60 });
 * const { findings } = await runProbe(pc, 'P9');
 */
export function createProbeContext(flow: FlowContext, opts: ProbeContextOptions = {}): ProbeContext {
  const recorder = opts.recorder ?? new Recorder({ now: () => performance.now() });
  const target: FlowTarget = { ...flow.target, issParameterSupported: false };
  return {
    flow: { ...flow, recorder, target },
    issPromised: flow.target.issParameterSupported,
    offlineTarget: opts.offlineAccess ? offlineTargetOf(flow.target) : null,
    secondClientId: opts.secondClientId ?? null,
    codeTtlSec: opts.codeTtlSec ?? null,
    maxWaitSec: opts.maxWaitSec ?? DEFAULT_MAX_WAIT_SEC,
    slow: opts.slow ?? false,
    parallelRedemptions: opts.parallelRedemptions ?? DEFAULT_PARALLEL_REDEMPTIONS,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
}

/** Options for {@link openProbeTarget}. */
export interface ProbeTargetOptions {
  /** The scenario whose target (issuer, client, login driver, client authentication) is probed. */
  plan: RunPlan;
  /** Remote issuer (discovery), overriding the scenario's; null/absent: the scenario's, else the embedded IdP. */
  issuer?: string | null;
  /** Embedded IdP started here: its fault mode from the first request on. */
  idpMode?: IdpMode;
  /** Remote issuer: its code lifetime when known (P11) and a second client (P13). */
  remoteCodeTtlSec?: number | null;
  secondClientId?: string | null;
  maxWaitSec?: number;
  slow?: boolean;
  parallelRedemptions?: number;
  /** Ask for refresh tokens; default: only of an embedded IdP (a remote client may not be allowed offline_access). */
  offlineAccess?: boolean;
  /** Probe this already running embedded IdP (not stopped at dispose) instead of starting one. */
  embeddedIdp?: EmbeddedIdp;
  /** Test hook: every secret the probes handle. */
  onSecret?: (value: string) => void;
}

/** A probe target held open: dispose to stop the IdP and close the connections. */
export interface OpenedProbeTarget extends AsyncDisposable {
  pc: ProbeContext;
  /** The probe traffic's recorder (for the report's endpoints). */
  recorder: Recorder;
  kind: 'embedded' | 'remote';
  issuer: string;
  clientId: string;
  /** The embedded IdP probed (started here or given). */
  idp: EmbeddedIdp | null;
}

/**
 * Opens the scenario's target through the target registry (the same login driver and client
 * authentication a run uses; an embedded IdP is started with `idpMode` when asked) and builds a
 * probe context on it. HTTP goes direct: probes judge the IdP, not a fault.
 *
 * @throws TokenstormError ERR_TARGET_UNREACHABLE (exit 3) when discovery fails, ERR_SCENARIO_INVALID
 *   when a remote issuer comes without client settings.
 * @example
 * await using t = await openProbeTarget({ plan });
 * const { findings } = await runProbes(t.pc);
 */
export async function openProbeTarget(opts: ProbeTargetOptions): Promise<OpenedProbeTarget> {
  const { plan } = opts;
  const stack = new AsyncDisposableStack();
  try {
    const issuerOverride = opts.issuer ?? null;
    let embedded: EmbeddedIdp | null = opts.embeddedIdp ?? null;
    if (!embedded && (issuerOverride ?? plan.target.issuer) === null && opts.idpMode) {
      const started = await startEmbeddedIdp({ codeTtlSec: plan.target.codeTtlSec, mode: opts.idpMode });
      stack.defer(() => started.stop());
      embedded = started;
    }
    const targetOptions = { issuer: issuerOverride, direct: true, ...(embedded ? { embeddedIdp: embedded } : {}) };
    const target = stack.use(await targetKindFor(plan, targetOptions).open(plan, targetOptions));
    if (target.kind !== 'embedded') embedded = null;
    const http = stack.use(new HttpClient({ connections: 16, requestTimeoutMs: plan.requestTimeoutMs, connectTimeoutMs: plan.connectTimeoutMs }));
    const flowTarget = await discover(http, target.issuer, target.client);
    const recorder = new Recorder({ now: () => performance.now() });
    const flow = flowContextFor(target, { http, recorder, pkce: { take: () => generatePair() }, flowTarget, onSecret: opts.onSecret });
    const pc = createProbeContext(flow, {
      recorder,
      offlineAccess: opts.offlineAccess ?? embedded !== null,
      secondClientId: embedded ? embedded.secondClientId : (opts.secondClientId ?? null),
      codeTtlSec: embedded ? plan.target.codeTtlSec : (opts.remoteCodeTtlSec ?? null),
      ...(opts.maxWaitSec !== undefined ? { maxWaitSec: opts.maxWaitSec } : {}),
      ...(opts.slow !== undefined ? { slow: opts.slow } : {}),
      ...(opts.parallelRedemptions !== undefined ? { parallelRedemptions: opts.parallelRedemptions } : {}),
    });
    return {
      pc,
      recorder,
      kind: target.kind,
      issuer: target.issuer,
      clientId: target.client.clientId,
      idp: embedded,
      [Symbol.asyncDispose]: () => stack.disposeAsync(),
    };
  } catch (err) {
    await stack.disposeAsync();
    throw err;
  }
}
