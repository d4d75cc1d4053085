/**
 * A FlowContext for tests that drive flows by hand against a discovered target: its own recorder,
 * PKCE pairs made inline, no clock skew, 5 s ID-token tolerance.
 */
import { performance } from 'node:perf_hooks';
import type { HttpClient } from '../../src/flow/http.ts';
import type { LoginDriver } from '../../src/flow/login-driver.ts';
import type { FlowContext } from '../../src/flow/pkce-flow.ts';
import type { FlowTarget } from '../../src/flow/target.ts';
import { Recorder } from '../../src/metrics/recorder.ts';
import { generatePair } from '../../src/pkce/challenge.ts';

/** The context, with `extra` fields (an `onSecret` hook, client auth, …) laid over the defaults. */
export function testFlowContext(http: HttpClient, target: FlowTarget, login: LoginDriver, extra: Partial<FlowContext> = {}): FlowContext {
  return {
    http,
    recorder: new Recorder({ now: () => performance.now() }),
    pkce: { take: () => generatePair() },
    target,
    login,
    clockSkewMs: () => 0,
    idTokenToleranceSec: 5,
    ...extra,
  };
}
