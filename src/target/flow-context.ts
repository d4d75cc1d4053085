/**
 * The FlowContext a target's flows run with: the target's login driver, client authentication,
 * DPoP and PAR, and its harness-side clock. One builder for a run, `check` and the probes, so a
 * new per-target setting reaches all three.
 */
import type { FlowContext, FlowObserver } from '../flow/pkce-flow.ts';
import type { HttpClient } from '../flow/http.ts';
import type { FlowTarget } from '../flow/target.ts';
import type { Recorder } from '../metrics/recorder.ts';
import type { Target } from './types.ts';

/** Allowed difference between the IdP's and the harness's clocks for ID-token iat/exp, s. */
const ID_TOKEN_TOLERANCE_SEC = 5;

/**
 * Builds the flows' context for `target` (discovered as `flowTarget`).
 *
 * @example
 * const ctx = flowContextFor(target, { http, recorder, pkce: pool, flowTarget });
 */
export function flowContextFor(
  target: Target,
  parts: {
    http: HttpClient;
    recorder: Recorder;
    pkce: FlowContext['pkce'];
    flowTarget: FlowTarget;
    onSecret?: ((value: string) => void) | undefined;
    onFlow?: FlowObserver | undefined;
  },
): FlowContext {
  return {
    http: parts.http,
    recorder: parts.recorder,
    pkce: parts.pkce,
    target: parts.flowTarget,
    login: target.login,
    clientAuth: target.clientAuth,
    dpop: target.dpop,
    par: target.par,
    clockSkewMs: () => target.harnessSkewMs(),
    idTokenToleranceSec: ID_TOKEN_TOLERANCE_SEC,
    ...(parts.onSecret ? { onSecret: parts.onSecret } : {}),
    ...(parts.onFlow ? { onFlow: parts.onFlow } : {}),
  };
}
