/**
 * Probes and buggy clients mixed into real load against the real embedded IdP: the probe mix runs
 * on its own arrival schedule beside normal flows (both through the open-model executor), probe
 * traffic never reaches the load's recorder, and P9 finds a race only where the IdP has one. The
 * buggy-client flows produce the IdP's own failure classes.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUGGY_CLIENT_KINDS, type BuggyClientKind, runBuggyFlow } from '../../../src/flow/buggy-client.ts';
import { HttpClient } from '../../../src/flow/http.ts';
import { oidcProviderLogin } from '../../../src/target/login/oidc-provider.ts';
import { type FlowContext, runFlow } from '../../../src/flow/pkce-flow.ts';
import { discover } from '../../../src/flow/target.ts';
import { type EmbeddedIdp, idpModeFromNames, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { ArrivalSchedule } from '../../../src/load/arrivals.ts';
import { systemClock } from '../../../src/load/clock.ts';
import { runOpen } from '../../../src/load/open-executor.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { generatePair } from '../../../src/pkce/challenge.ts';
import { createProbeContext } from '../../../src/probe/context.ts';
import { ProbeMix } from '../../../src/probe/mix.ts';
import { selectProbes } from '../../../src/probe/runner.ts';
import type { FailureClass } from '../../../src/report/schema.ts';

let idp: EmbeddedIdp;
let http: HttpClient;
let ctx: FlowContext;

beforeAll(async () => {
  idp = await startEmbeddedIdp({ codeTtlSec: 60 });
  http = new HttpClient({ connections: 32, requestTimeoutMs: 10_000, connectTimeoutMs: 5000 });
  const target = await discover(http, idp.issuer, { clientId: idp.clientId, redirectUri: idp.redirectUri, scope: 'openid', username: 'alice', password: 'x' });
  ctx = {
    http,
    recorder: new Recorder({ now: () => performance.now() }),
    pkce: { take: () => generatePair() },
    target,
    login: oidcProviderLogin,
    clockSkewMs: () => 0,
    idTokenToleranceSec: 5,
  };
}, 30_000);

afterAll(async () => {
  await http?.close();
  await idp?.stop();
});

/** 3 s of normal flows at 20/s with P9 and P1 mixed in at 4/s; returns both recorders' results and the mix. */
async function loadWithProbes() {
  const load = new Recorder({ now: () => performance.now() });
  const probeRecorder = new Recorder({ now: () => performance.now() });
  const flowCtx = { ...ctx, recorder: load };
  const mix = new ProbeMix(createProbeContext(flowCtx, { recorder: probeRecorder, parallelRedemptions: 6 }), selectProbes(['P9', 'P1'], []));
  const flows = new ArrivalSchedule(20, [{ durationMs: 3000, targetRatePerSec: 20 }]);
  const probes = new ArrivalSchedule(4, [{ durationMs: 3000, targetRatePerSec: 4 }]);
  await Promise.all([
    runOpen({ clock: systemClock, nextArrival: () => flows.next(), maxInFlight: 64, durationMs: 3000 }, { start: (at) => runFlow(flowCtx, at) }),
    runOpen({ clock: systemClock, nextArrival: () => probes.next(), maxInFlight: 8, durationMs: 3000 }, { start: () => mix.runNext() }),
  ]);
  return { load: load.finish(), probes: probeRecorder.finish(), mix: mix.summary() };
}

describe('probes mixed into load', () => {
  it('correct IdP: no finding, and no probe request in the load’s recorder', async () => {
    await idp.setMode({});
    const { load, probes, mix } = await loadWithProbes();
    expect(mix.findings).toEqual([]);
    expect(mix.outcomes.map((o) => [o.probe, o.status])).toEqual([
      ['P1', 'pass'],
      ['P9', 'pass'],
    ]);
    expect(mix.outcomes.reduce((a, o) => a + (o.runs ?? 0), 0)).toBeGreaterThanOrEqual(8);
    // The load saw only its own flows: every one of them succeeded, none of the probes' refusals.
    expect(load.flows.completed).toBeGreaterThan(40);
    expect(load.flows.failed).toBe(0);
    expect(load.failures).toEqual({});
    expect(load.endpoints.token!.count).toBe(load.flows.completed);
    // The probes' deliberately refused requests went to their own recorder.
    expect(probes.failures.pkce_mismatch).toBeGreaterThan(0);
    expect(probes.failures.code_reused).toBeGreaterThan(0);
  }, 60_000);

  it('reusable codes under load: P9 finds more than one 200 per code', async () => {
    await idp.setMode(idpModeFromNames(['reusable-codes']));
    try {
      const { mix } = await loadWithProbes();
      const p9 = mix.findings.find((f) => f.probe === 'P9');
      expect(p9?.severity).toBe('critical');
      expect(p9!.occurrences).toBeGreaterThanOrEqual(1);
      expect(p9!.observed).toMatch(/^[2-6] of 6 concurrent redemptions of one code got tokens$/);
      expect(mix.findings.map((f) => f.probe)).toEqual(['P9']);
    } finally {
      await idp.setMode({});
    }
  }, 60_000);
});

describe('buggy-client flows', () => {
  const EXPECTED: Record<BuggyClientKind, FailureClass> = {
    F1: 'pkce_mismatch',
    F2: 'pkce_verifier_missing',
    F5: 'invalid_request',
    F8: 'pkce_method_rejected',
    'retry-reuse': 'code_reused',
  };

  it('each kind fails with the IdP’s own failure class and is recorded as a flow', async () => {
    await idp.setMode({});
    for (const kind of BUGGY_CLIENT_KINDS) {
      const rec = new Recorder({ now: () => performance.now() });
      const r = await runBuggyFlow({ ...ctx, recorder: rec }, kind, performance.now());
      const res = rec.finish();
      expect([kind, r.ok, Object.keys(res.failures)]).toEqual([kind, false, [EXPECTED[kind]]]);
      expect(res.flows.failed).toBe(1);
      expect(r.challengeMethod).toBe(kind === 'F8' ? 'plain' : 'S256');
      expect(r.codeIssued).toBe(kind !== 'F5' && kind !== 'F8');
    }
  }, 60_000);

  it('an IdP that ignores PKCE lets the missing-verifier client through (what the mix rehearses)', async () => {
    await idp.setMode(idpModeFromNames(['ignore-pkce']));
    try {
      const rec = new Recorder({ now: () => performance.now() });
      const r = await runBuggyFlow({ ...ctx, recorder: rec }, 'F2', performance.now());
      expect(r.ok).toBe(true);
      expect(rec.finish().failures).toEqual({});
    } finally {
      await idp.setMode({});
    }
  }, 60_000);
});
