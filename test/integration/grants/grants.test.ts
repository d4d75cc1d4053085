/**
 * Client authentication, DPoP and the refresh / client_credentials workloads against the real
 * embedded oidc-provider: each mode completes, and each way it goes wrong is classified from the
 * IdP's own evidence.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import { exchangeCode, type FlowContext, obtainCode } from '../../../src/flow/pkce-flow.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import { discover } from '../../../src/flow/target.ts';
import { readTokenResponse, sendTokenRequest } from '../../../src/flow/token-request.ts';
import { oidcProviderLogin } from '../../../src/target/login/oidc-provider.ts';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { createVerifierPool } from '../../../src/pkce/pool.ts';

const outDir = join(tmpdir(), `tokenstorm-grants-${process.pid}`);
let idp: EmbeddedIdp;
beforeAll(async () => {
  idp = await startEmbeddedIdp();
});
afterAll(async () => {
  await idp.stop();
  await rm(outDir, { recursive: true, force: true });
});

const load = { ratePerSec: 10, duration: '2s' };

async function run(scenario: Record<string, unknown>) {
  const secrets: string[] = [];
  const outcome = await runPlan(validateScenario({ name: 'g', load, refresh: { sessions: 4 }, ...scenario }, null), {
    outDir,
    direct: true,
    embeddedIdp: idp,
    onSecret: (s) => secrets.push(s),
  });
  return { outcome, secrets };
}

describe('client authentication and grant workloads (embedded IdP)', () => {
  it.each([
    ['flow', { auth: 'client_secret_basic' }],
    ['flow', { auth: 'client_secret_post' }],
    ['flow', { auth: 'private_key_jwt' }],
    ['flow', { dpop: true }],
    ['flow', { par: true }],
    ['flow', { auth: 'client_secret_basic', par: true, dpop: true }],
    ['refresh', {}],
    ['refresh', { dpop: 'EdDSA' }],
    ['client_credentials', { auth: 'client_secret_basic' }],
    ['client_credentials', { auth: 'private_key_jwt' }],
  ])('%s with %j completes every unit', async (mode, client) => {
    const { outcome } = await run({ mode, target: { client } });
    const r = outcome.report;
    expect(r.flows.failed, JSON.stringify(r.failures)).toBe(0);
    expect(r.flows.completed).toBeGreaterThan(5);
    const endpoint = mode === 'refresh' ? 'refresh' : 'token';
    expect(r.endpoints[endpoint]!.count).toBeGreaterThanOrEqual(r.flows.completed);
    if ((client as { par?: boolean }).par) expect(r.endpoints.par!.count).toBe(r.flows.started);
    expect(outcome.exitCode).toBe(0);
  });

  it('a wrong client secret is invalid_client, and the secret is in no output', async () => {
    const { outcome } = await run({ target: { client: { auth: 'client_secret_basic', clientSecret: 'not-the-secret-0123456789' } } });
    expect(outcome.report.failures.invalid_client).toBe(outcome.report.flows.started);
    expect(outcome.exitCode).toBe(1);
    const files = await Promise.all(Object.values(outcome.files).map((f) => import('node:fs/promises').then((fs) => fs.readFile(f, 'utf8'))));
    for (const text of files) expect(text).not.toContain('not-the-secret-0123456789');
  });

  it('a DPoP-bound client without a proof is refused (dpop_proof_invalid)', async () => {
    const { outcome } = await run({ target: { clientId: idp.clients.dpop.clientId } });
    expect(outcome.report.failures.dpop_proof_invalid).toBe(outcome.report.flows.started);
  });

  it('a rotated refresh token presented again is refresh_token_reused', async () => {
    const http = new HttpClient({ connections: 4, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    const pool = createVerifierPool({ workers: 1 });
    await pool.ready();
    try {
      const recorder = new Recorder({ now: () => 0 });
      const target = await discover(http, idp.issuer, { clientId: idp.clientId, redirectUri: idp.redirectUri, scope: 'openid', username: 'alice', password: 'x' });
      const ctx: FlowContext = { http, recorder, pkce: pool, target, login: oidcProviderLogin, clockSkewMs: () => 0, idTokenToleranceSec: 5 };
      const session = new FlowSession(http, recorder);
      const got = await obtainCode(ctx, session);
      let first = '';
      expect(await exchangeCode(ctx, session, got!, { onTokens: (t) => (first = t.refreshToken ?? '') })).toBe(true);
      const refresh = async (rt: string) => {
        const res = await sendTokenRequest(ctx, session, 'refresh', `grant_type=refresh_token&refresh_token=${rt}`);
        return readTokenResponse(session, 'refresh', res!);
      };
      const rotated = await refresh(first);
      expect(rotated?.refreshToken).toBeDefined();
      expect(rotated!.refreshToken).not.toBe(first);
      expect(await refresh(first)).toBeNull();
      expect(recorder.finish().failures).toEqual({ refresh_token_reused: 1 });
    } finally {
      await pool.close();
      await http.close();
    }
  });
});

describe('DPoP server nonces', () => {
  it('a token request answered with use_dpop_nonce is retried once with the nonce', async () => {
    // A fresh IdP: the harness keeps the last nonce per token endpoint, and this one has never
    // given one, so the first proof must be challenged.
    const fresh = await startEmbeddedIdp();
    await fresh.setMode({ dpopNonce: true });
    try {
      const outcome = await runPlan(validateScenario({ name: 'n', load, target: { client: { dpop: true } } }, null), { outDir, direct: true, embeddedIdp: fresh });
      expect(outcome.report.flows.failed, JSON.stringify(outcome.report.failures)).toBe(0);
      expect(outcome.report.flows.completed).toBeGreaterThan(5);
      // The IdP really asked: its own error events name the nonce challenge.
      expect(fresh.recentErrorDetails().some((d) => d.error === 'use_dpop_nonce')).toBe(true);
    } finally {
      await fresh.stop();
    }
  });
});

describe('presigned client assertions and DPoP proofs', () => {
  it('come from the signing worker, and the report says how many were signed inline', async () => {
    const { outcome } = await run({ target: { client: { auth: 'private_key_jwt', dpop: true } } });
    const r = outcome.report;
    expect(r.flows.failed, JSON.stringify(r.failures)).toBe(0);
    const s = r.harness.signing!;
    // One assertion and one proof per token request.
    expect(s.taken).toBe(2 * r.endpoints.token!.count);
    // The first few are signed inline while the worker starts; most come presigned.
    expect(s.waits).toBeLessThan(s.taken);
  });
});
