/**
 * Building a {@link ProbeContext}: from an existing FlowContext (probe mixes inside a run) or from
 * scratch for `tokenstorm probe` (embedded IdP or a remote issuer, direct HTTP, inline PKCE pairs).
 */
import { performance } from 'node:perf_hooks';
import { TokenstormError } from '../errors.ts';
import { HttpClient } from '../flow/http.ts';
import { oidcProviderLogin } from '../flow/login-driver.ts';
import type { FlowContext } from '../flow/pkce-flow.ts';
import { discover, type FlowTarget } from '../flow/target.ts';
import { type EmbeddedIdp, type IdpMode, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import { Recorder } from '../metrics/recorder.ts';
import { generatePair } from '../pkce/challenge.ts';
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
  /** Remote issuer (discovery); null/absent: the embedded IdP. */
  issuer?: string | null;
  client: { clientId: string | null; redirectUri: string | null; scope: string; username: string; password: string };
  /** Embedded IdP: code lifetime (s; also of `embeddedIdp`, which cannot be asked) and fault mode. */
  codeTtlSec: number;
  idpMode?: IdpMode;
  /** Remote issuer: its code lifetime when known (P11) and a second client (P13). */
  remoteCodeTtlSec?: number | null;
  secondClientId?: string | null;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
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
 * Starts the embedded IdP (or discovers `issuer`) and builds a probe context on it.
 *
 * @throws TokenstormError ERR_TARGET_UNREACHABLE (exit 3) when discovery fails, ERR_SCENARIO_INVALID
 *   when a remote issuer comes without client settings.
 * @example
 * await using t = await openProbeTarget({ client, codeTtlSec: 60 });
 * const { findings } = await runProbes(t.pc);
 */
export async function openProbeTarget(opts: ProbeTargetOptions): Promise<OpenedProbeTarget> {
  let idp: EmbeddedIdp | null = null;
  const http = new HttpClient({ connections: 16, requestTimeoutMs: opts.requestTimeoutMs ?? 10_000, connectTimeoutMs: opts.connectTimeoutMs ?? 5000 });
  const close = async (): Promise<void> => {
    await http.close();
    await idp?.stop();
  };
  try {
    let issuer: string;
    let clientId = opts.client.clientId;
    let redirectUri = opts.client.redirectUri;
    let embedded = opts.embeddedIdp ?? null;
    if (opts.issuer) {
      issuer = opts.issuer.replace(/\/$/, '');
    } else if (embedded) {
      issuer = embedded.issuer;
      clientId ??= embedded.clientId;
      redirectUri ??= embedded.redirectUri;
    } else {
      embedded = idp = await startEmbeddedIdp({ codeTtlSec: opts.codeTtlSec, ...(opts.idpMode ? { mode: opts.idpMode } : {}) });
      issuer = embedded.issuer;
      clientId ??= embedded.clientId;
      redirectUri ??= embedded.redirectUri;
    }
    if (!clientId || !redirectUri) {
      throw new TokenstormError('ERR_SCENARIO_INVALID', 'a remote issuer needs target.clientId and target.redirectUri in the scenario');
    }
    // Only the client fields: a scenario's target section carries more (issuer, codeTtlSec).
    const { scope, username, password } = opts.client;
    const target = await discover(http, issuer, { clientId, redirectUri, scope, username, password });
    const recorder = new Recorder({ now: () => performance.now() });
    const flow: FlowContext = {
      http,
      recorder,
      pkce: { take: () => generatePair() },
      target,
      login: oidcProviderLogin,
      clockSkewMs: () => 0,
      idTokenToleranceSec: 5,
      verifySignatureEvery: 1,
      ...(opts.onSecret ? { onSecret: opts.onSecret } : {}),
    };
    const pc = createProbeContext(flow, {
      recorder,
      offlineAccess: opts.offlineAccess ?? embedded !== null,
      secondClientId: embedded ? embedded.secondClientId : (opts.secondClientId ?? null),
      codeTtlSec: embedded ? opts.codeTtlSec : (opts.remoteCodeTtlSec ?? null),
      ...(opts.maxWaitSec !== undefined ? { maxWaitSec: opts.maxWaitSec } : {}),
      ...(opts.slow !== undefined ? { slow: opts.slow } : {}),
      ...(opts.parallelRedemptions !== undefined ? { parallelRedemptions: opts.parallelRedemptions } : {}),
    });
    return { pc, recorder, kind: embedded ? 'embedded' : 'remote', issuer, clientId, idp: embedded, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close();
    throw err;
  }
}
