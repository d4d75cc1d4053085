/**
 * Parent side of the embedded reference IdP: forks ./child.ts (dist/idp/child.js when bundled),
 * waits until it listens, and offers clock skew, fault modes, CPU readings and the recent
 * oidc-provider error details over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { TokenstormError } from '../errors.ts';
import { entryFile } from '../paths.ts';
import type { PrimeResult } from './prime.ts';
import type { ChildMessage, ErrorDetailMessage, IdpChildConfig, IdpMode, IdpStats, ParentMessage } from './messages.ts';

export type { IdpMode, IdpStats } from './messages.ts';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import {
  CLIENT_ID,
  DPOP_CLIENT_ID,
  PRIVATE_KEY_JWT_CLIENT_ID,
  REDIRECT_PATH,
  SECOND_CLIENT_ID,
  SECRET_BASIC_CLIENT_ID,
  SECRET_POST_CLIENT_ID,
  TEST_USERS,
} from './constants.ts';

/** The embedded IdP's clients beyond the default public one, with their credentials (test credentials, per process). */
export interface EmbeddedClients {
  secretBasic: { clientId: string; clientSecret: string };
  secretPost: { clientId: string; clientSecret: string };
  privateKeyJwt: { clientId: string; privateJwk: JWK };
  dpop: { clientId: string };
}
export { IDP_MODE_NAMES, type IdpModeName, idpModeFromNames } from './modes.ts';

/** One oidc-provider error event as the parent keeps it. */
export interface IdpErrorDetail {
  event: string;
  error: string;
  detail: string;
  /** Real wall-clock ms when the child saw the error. */
  at: number;
}

/** A running embedded IdP. */
export interface EmbeddedIdp {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  clientId: string;
  secondClientId: string;
  /** `<issuer>/cb`, registered for both clients. */
  redirectUri: string;
  users: string[];
  /** Confidential, private_key_jwt and DPoP-bound clients (all with refresh tokens; the confidential ones also client_credentials). */
  clients: EmbeddedClients;
  pid: number;
  /** What the start-up priming did (null when `primeFlows` was 0). */
  primed: PrimeResult | null;
  /** Shifts the child's `Date.now()` / `new Date()` by `ms` (absolute, not cumulative). */
  setClockOffset(ms: number): Promise<void>;
  /** Replaces the fault mode; `{}` restores normal behaviour. */
  setMode(mode: IdpMode): Promise<void>;
  /** The child's own `process.cpuUsage()`. */
  cpuUsage(): Promise<{ userMicros: number; systemMicros: number }>;
  /** Adapter size and memory of the child (for long runs: everything lives in its RAM). */
  stats(): Promise<IdpStats>;
  /** Recent error details, oldest first (at most {@link ERROR_RING_SIZE}). */
  recentErrorDetails(): IdpErrorDetail[];
  /** Resolves when the child process has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the child and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedIdp}. */
export interface EmbeddedIdpOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Authorization code lifetime in seconds (default 60). */
  codeTtlSec?: number;
  /** One auto-approving interaction step instead of the devInteractions login + consent forms. */
  autoApprove?: boolean;
  /** How long to wait for the child to listen (default 20 s). */
  startTimeoutMs?: number;
  /** Secret of the confidential clients; default: random per process (never printed). */
  clientSecret?: string;
  /** Fault mode from the first request on (default `{}`: correct behaviour); see {@link idpModeFromNames}. */
  mode?: IdpMode;
  /** Aborts the start-up (Ctrl-C while the IdP starts): the child is stopped and ERR_INTERRUPTED thrown. */
  signal?: AbortSignal;
  /**
   * Plain PKCE flows the IdP runs against itself before it reports ready (default
   * {@link DEFAULT_PRIME_FLOWS}; 0 = none, a cold IdP). A fresh oidc-provider process pays a
   * one-time set-up in its first flows that otherwise shows as a tail in the run's first seconds.
   */
  primeFlows?: number;
}

/** Flows a fresh embedded IdP runs against itself before it is ready (see `bench startup`). */
export const DEFAULT_PRIME_FLOWS = 40;

/** How many error details the parent keeps. */
export const ERROR_RING_SIZE = 1000;
const REQUEST_TIMEOUT_MS = 5000;
const KILL_GRACE_MS = 1000;

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The child also exits on IPC disconnect; this covers a parent that exits while the channel lingers.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/**
 * Starts the embedded IdP in a child process.
 *
 * @throws TokenstormError `ERR_USAGE` for bad options, `ERR_IDP_START` when the child cannot start.
 * @example
 * const idp = await startEmbeddedIdp({ codeTtlSec: 5 });
 * console.log(idp.issuer, idp.clientId, idp.redirectUri);
 * await idp.setClockOffset(120_000);
 * await idp.stop();
 */
export async function startEmbeddedIdp(opts: EmbeddedIdpOptions = {}): Promise<EmbeddedIdp> {
  // Fresh credentials per IdP process: nothing to leak beyond its life.
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const jwtKeys = await generateKeyPair('ES256', { extractable: true });
  const kid = `jwt-${randomBytes(4).toString('hex')}`;
  const jwtPrivateJwk: JWK = { ...(await exportJWK(jwtKeys.privateKey)), kid, alg: 'ES256' };
  const config: IdpChildConfig = {
    port: opts.port ?? 0,
    codeTtlSec: opts.codeTtlSec ?? 60,
    autoApprove: opts.autoApprove ?? false,
    clientSecret,
    jwtClientPublicJwk: { ...(await exportJWK(jwtKeys.publicKey)), kid, alg: 'ES256', use: 'sig' },
    mode: { ...(opts.mode ?? {}) },
    primeFlows: opts.primeFlows ?? DEFAULT_PRIME_FLOWS,
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new TokenstormError('ERR_USAGE', `idp port must be an integer 0..65535 (got ${opts.port})`);
  }
  if (!Number.isInteger(config.primeFlows) || config.primeFlows < 0 || config.primeFlows > 10_000) {
    throw new TokenstormError('ERR_USAGE', `idp primeFlows must be an integer 0..10000 (got ${opts.primeFlows})`);
  }
  if (!Number.isInteger(config.codeTtlSec) || config.codeTtlSec < 1) {
    throw new TokenstormError('ERR_USAGE', `idp codeTtlSec must be an integer >= 1 (got ${opts.codeTtlSec})`);
  }

  installExitHook();
  let child: ChildProcess;
  try {
    child = fork(entryFile('idp/child'), [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
  } catch (cause) {
    throw new TokenstormError('ERR_IDP_START', 'could not start the embedded IdP process', { cause });
  }
  liveChildren.add(child);

  // oidc-provider prints development warnings; keep the tail only to explain a failed start.
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });

  const ring: IdpErrorDetail[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let readyResolve: (m: Extract<ChildMessage, { type: 'ready' }>) => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });

  const onErrorDetail = (m: ErrorDetailMessage): void => {
    if (ring.length >= ERROR_RING_SIZE) ring.shift();
    ring.push({ event: m.event, error: m.error, detail: m.detail, at: m.at });
  };

  child.on('message', (raw: unknown) => {
    const m = raw as ChildMessage;
    switch (m.type) {
      case 'ready':
        readyResolve(m);
        break;
      case 'start-error':
        readyReject(new TokenstormError('ERR_IDP_START', `embedded IdP failed to start: ${m.message}`));
        break;
      case 'error-detail':
        onErrorDetail(m);
        break;
      case 'reply': {
        const request = pending.get(m.id);
        if (!request) break;
        pending.delete(m.id);
        clearTimeout(request.timer);
        if (m.ok) request.resolve(m.result);
        else request.reject(new TokenstormError('ERR_INTERNAL', `embedded IdP rejected the request: ${m.message}`));
        refChannel();
        break;
      }
    }
  });
  child.once('error', (cause) => readyReject(new TokenstormError('ERR_IDP_START', 'embedded IdP process error', { cause })));
  void exited.then(({ code, signal }) => {
    const why = firstLine(stderrTail);
    readyReject(
      new TokenstormError(
        'ERR_IDP_START',
        `embedded IdP exited before it was ready (code ${code}, signal ${signal})${why ? `: ${why}` : ''}`,
      ),
    );
    for (const [id, request] of pending) {
      clearTimeout(request.timer);
      request.reject(new TokenstormError('ERR_TARGET_UNREACHABLE', 'embedded IdP is no longer running'));
      pending.delete(id);
    }
  });

  // While nothing is outstanding the IPC channel must not keep the parent alive (the exit hook and
  // the child's disconnect handler clean up); while a request is pending it must.
  const refChannel = (): void => {
    if (pending.size > 0) child.channel?.ref();
    else child.channel?.unref();
  };

  const request = (message: ParentMessage & { id: number }): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new TokenstormError('ERR_TARGET_UNREACHABLE', 'embedded IdP is no longer running'));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(message.id);
        refChannel();
        reject(
          new TokenstormError('ERR_TARGET_UNREACHABLE', `embedded IdP did not answer ${message.type} within ${REQUEST_TIMEOUT_MS} ms`),
        );
      }, REQUEST_TIMEOUT_MS);
      pending.set(message.id, { resolve, reject, timer });
      refChannel();
      child.send(message);
    });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // A SIGSTOPped child (a test freezing the IdP) keeps SIGTERM pending until it continues.
      child.kill('SIGCONT');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };

  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const startTimer = setTimeout(
    () => readyReject(new TokenstormError('ERR_IDP_START', `embedded IdP did not start within ${startTimeoutMs} ms`)),
    startTimeoutMs,
  );
  const onAbort = (): void => readyReject(new TokenstormError('ERR_INTERRUPTED', 'interrupted while the embedded IdP was starting'));
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  child.send({ type: 'init', config } satisfies ParentMessage);
  let info: Extract<ChildMessage, { type: 'ready' }>;
  try {
    info = await ready;
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(startTimer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  child.unref();
  refChannel();

  return {
    issuer: info.issuer,
    clientId: CLIENT_ID,
    secondClientId: SECOND_CLIENT_ID,
    redirectUri: `${info.issuer}${REDIRECT_PATH}`,
    users: [...TEST_USERS],
    clients: {
      secretBasic: { clientId: SECRET_BASIC_CLIENT_ID, clientSecret },
      secretPost: { clientId: SECRET_POST_CLIENT_ID, clientSecret },
      privateKeyJwt: { clientId: PRIVATE_KEY_JWT_CLIENT_ID, privateJwk: jwtPrivateJwk },
      dpop: { clientId: DPOP_CLIENT_ID },
    },
    pid: info.pid,
    primed: info.primed,
    async setClockOffset(ms: number) {
      if (!Number.isFinite(ms)) throw new TokenstormError('ERR_USAGE', `clock offset must be a finite number of ms (got ${ms})`);
      await request({ type: 'set-clock-offset', id: nextId++, offsetMs: ms });
    },
    async setMode(mode: IdpMode) {
      await request({ type: 'set-mode', id: nextId++, mode: { ...mode } });
    },
    async cpuUsage() {
      return (await request({ type: 'cpu-usage', id: nextId++ })) as { userMicros: number; systemMicros: number };
    },
    async stats() {
      return (await request({ type: 'stats', id: nextId++ })) as IdpStats;
    },
    recentErrorDetails: () => ring.slice(),
    exited,
    stop,
  };
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('oidc-provider WARNING') && !l.startsWith('oidc-provider NOTICE')) ?? ''
  ).slice(0, 300);
}
