/**
 * Each failure class the embedded IdP (or the network in front of it) can produce, provoked for
 * real and classified from evidence: status, OAuth error, the IdP's detail header, socket codes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type RouteTarget } from '../../../src/flow/http.ts';
import { oidcProviderLogin } from '../../../src/target/login/oidc-provider.ts';
import { exchangeCode, type FlowContext, obtainCode } from '../../../src/flow/pkce-flow.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import { discover, type FlowTarget } from '../../../src/flow/target.ts';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { generatePair } from '../../../src/pkce/challenge.ts';
import type { FailureClass } from '../../../src/report/schema.ts';

let idp: EmbeddedIdp;
let http: HttpClient;
let target: FlowTarget;
const skewMs = 0;

beforeAll(async () => {
  // oidc-provider counts TTLs in whole seconds (exp = floor(now) + ttl), so a 2 s TTL lasts 1–2 s.
  idp = await startEmbeddedIdp({ codeTtlSec: 2 });
  http = new HttpClient({ connections: 8, requestTimeoutMs: 5000, connectTimeoutMs: 2000 });
  target = await discover(http, idp.issuer, { clientId: idp.clientId, redirectUri: idp.redirectUri, scope: 'openid', username: 'alice', password: 'x' });
});
afterAll(async () => {
  await http?.close();
  await idp?.stop();
});

function context(client = http): { ctx: FlowContext; recorder: Recorder } {
  const recorder = new Recorder({ now: () => 0 });
  const ctx: FlowContext = {
    http: client,
    recorder,
    pkce: { take: () => generatePair() },
    target,
    login: oidcProviderLogin,
    clockSkewMs: () => skewMs,
    idTokenToleranceSec: 5,
  };
  return { ctx, recorder };
}

function classes(recorder: Recorder): Partial<Record<FailureClass, number>> {
  return recorder.finish().failures;
}

async function codeFor(ctx: FlowContext) {
  const session = new FlowSession(ctx.http, ctx.recorder);
  const got = await obtainCode(ctx, session);
  expect(got).not.toBeNull();
  return { session, got: got! };
}

describe('failure classification against the embedded IdP', () => {
  it('a correct exchange succeeds (control)', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    const ok = await exchangeCode(ctx, session, got);
    expect(recorder.finish().failureEvidence).toEqual([]);
    expect(ok).toBe(true);
  });

  it('wrong verifier → pkce_mismatch', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    expect(await exchangeCode(ctx, session, got, { overrideVerifier: generatePair().verifier })).toBe(false);
    expect(classes(recorder)).toEqual({ pkce_mismatch: 1 });
  });

  it('missing verifier → pkce_verifier_missing', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    expect(await exchangeCode(ctx, session, got, { overrideVerifier: null })).toBe(false);
    expect(classes(recorder)).toEqual({ pkce_verifier_missing: 1 });
  });

  it('reused code → code_reused', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    expect(await exchangeCode(ctx, session, got)).toBe(true);
    expect(await exchangeCode(ctx, session, got)).toBe(false);
    expect(classes(recorder)).toEqual({ code_reused: 1 });
  });

  it('expired code (TTL 2 s) → code_expired', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    await new Promise((r) => setTimeout(r, 2600));
    expect(await exchangeCode(ctx, session, got)).toBe(false);
    expect(classes(recorder)).toEqual({ code_expired: 1 });
  });

  it('redirect_uri mismatch → redirect_uri_mismatch', async () => {
    const { ctx, recorder } = context();
    const { session, got } = await codeFor(ctx);
    expect(await exchangeCode(ctx, session, got, { overrideRedirectUri: `${idp.issuer}/elsewhere` })).toBe(false);
    expect(classes(recorder)).toEqual({ redirect_uri_mismatch: 1 });
  });

  it('IdP clock 2 min ahead → clock_skew from the ID token', async () => {
    const { ctx, recorder } = context();
    await idp.setClockOffset(120_000);
    try {
      // Codes are issued and redeemed on the skewed clock, so only the ID token shows the skew.
      const { session, got } = await codeFor(ctx);
      expect(await exchangeCode(ctx, session, got)).toBe(false);
    } finally {
      await idp.setClockOffset(0);
    }
    expect(classes(recorder)).toEqual({ clock_skew: 1 });
  });

  it('IdP that stops accepting S256 → pkce_method_rejected at authorize', async () => {
    const { ctx, recorder } = context();
    await idp.setMode({ rejectS256: true });
    try {
      expect(await obtainCode(ctx, new FlowSession(ctx.http, ctx.recorder))).toBeNull();
    } finally {
      await idp.setMode({});
    }
    const r = recorder.finish();
    expect(r.failures).toEqual({ pkce_method_rejected: 1 });
    expect(r.failureEvidence[0]).toMatchObject({ endpoint: 'authorize', error: 'invalid_request' });
  });

  describe('transport failures on the token route', () => {
    let silent: Server;
    const held: Socket[] = [];
    let closedPort: number;
    beforeAll(async () => {
      silent = createServer((s) => held.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const tmp = createServer();
      await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
      closedPort = (tmp.address() as { port: number }).port;
      await new Promise((r) => tmp.close(r));
    });
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    async function viaTokenRoute(route: RouteTarget, requestTimeoutMs: number) {
      const client = new HttpClient({ connections: 4, requestTimeoutMs, connectTimeoutMs: 1000, routes: { token: route } });
      try {
        const { ctx, recorder } = context(client);
        const { session, got } = await codeFor(ctx);
        expect(await exchangeCode(ctx, session, got)).toBe(false);
        return recorder.finish();
      } finally {
        await client.close();
      }
    }

    it('nothing listening → connection_refused', async () => {
      const r = await viaTokenRoute({ host: '127.0.0.1', port: closedPort }, 2000);
      expect(r.failures).toEqual({ connection_refused: 1 });
      expect(r.failureEvidence[0]).toMatchObject({ endpoint: 'token', socketCode: 'ECONNREFUSED' });
    });

    it('accepted but never answered → timeout_response', async () => {
      const r = await viaTokenRoute({ host: '127.0.0.1', port: (silent.address() as { port: number }).port }, 300);
      // One absolute deadline from the send to the last byte (issue 15), whatever phase it ends in.
      expect(r.failures).toEqual({ timeout_response: 1 });
      expect(r.failureEvidence[0]).toMatchObject({ endpoint: 'token', socketCode: 'ERR_DEADLINE_EXCEEDED' });
    });
  });
});
