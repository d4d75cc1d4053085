/**
 * The realm file (scenarios/keycloak/realm-tokenstorm.json) gives what the other modes need, as a
 * real Keycloak reads it: client_credentials with a client secret and with private_key_jwt (the
 * key pair: test/keycloak/fixtures/private-key-jwt.pem ↔ the JWK in the realm), DPoP-bound tokens
 * on tokenstorm-dpop, refresh tokens that rotate (a used one is refused).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import { obtainCode } from '../../../src/flow/pkce-flow.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import { discover, type FlowTarget } from '../../../src/flow/target.ts';
import { createLoginDriver } from '../../../src/target/login/registry.ts';
import { issuerOf, passwordOf, REALM_FILE, REDIRECT_URI, requireKeycloak, skipKeycloak } from '../../keycloak/env.ts';
import { testFlowContext } from '../../support/flow-context.ts';

const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as { clients: Array<{ clientId: string; secret?: string }> };
const secretOf = (clientId: string): string => realm.clients.find((c) => c.clientId === clientId)!.secret!;

describe.skipIf(skipKeycloak)('the tokenstorm realm on a real Keycloak', () => {
  requireKeycloak();
  let http: HttpClient;
  let tokenEndpoint: URL;

  beforeAll(async () => {
    http = new HttpClient({ connections: 4, requestTimeoutMs: 20_000, connectTimeoutMs: 5000 });
    tokenEndpoint = new URL(`${issuerOf('tokenstorm')}/protocol/openid-connect/token`);
  });
  afterAll(async () => {
    await http?.close();
  });

  async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const out = await http.send('token', { method: 'POST', url: tokenEndpoint, form: new URLSearchParams(form), headers: { accept: 'application/json' } });
    if (!out.ok) throw new Error(out.failure.message);
    return { status: out.res.status, body: JSON.parse(out.res.body) as Record<string, unknown> };
  }

  it('client_credentials with a client secret (confidential and service clients)', async () => {
    for (const clientId of ['tokenstorm-confidential', 'tokenstorm-service']) {
      const ok = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secretOf(clientId) });
      expect(ok.status, clientId).toBe(200);
      expect(typeof ok.body.access_token).toBe('string');
    }
    const bad = await token({ grant_type: 'client_credentials', client_id: 'tokenstorm-service', client_secret: 'wrong' });
    expect([bad.status, bad.body.error]).toEqual([401, 'unauthorized_client']);
  });

  it('client_credentials with private_key_jwt signed by the fixture key', async () => {
    const key = await importPKCS8(readFileSync(join(import.meta.dirname, '../../keycloak/fixtures/private-key-jwt.pem'), 'utf8'), 'ES256');
    const clientId = 'tokenstorm-private-key-jwt';
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'tokenstorm-pkjwt-1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(issuerOf('tokenstorm'))
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key);
    const res = await token({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    expect(res.status, JSON.stringify(res.body.error_description)).toBe(200);
  });

  async function codeFor(clientId: string) {
    const target: FlowTarget = await discover(http, issuerOf('tokenstorm'), { clientId, redirectUri: REDIRECT_URI, scope: 'openid', username: 'alice', password: passwordOf('alice') });
    const ctx = testFlowContext(http, target, await createLoginDriver({ driver: 'keycloak' }));
    const got = await obtainCode(ctx, new FlowSession(http, ctx.recorder));
    if (got === null) expect.fail(JSON.stringify(ctx.recorder.finish().failureEvidence));
    return got!;
  }

  it('refresh tokens rotate: the new one works, the used one is refused', async () => {
    const got = await codeFor('tokenstorm-public');
    const first = await token({ grant_type: 'authorization_code', code: got.code, redirect_uri: REDIRECT_URI, client_id: 'tokenstorm-public', code_verifier: got.verifier });
    expect(first.status).toBe(200);
    const r1 = first.body.refresh_token as string;
    const second = await token({ grant_type: 'refresh_token', refresh_token: r1, client_id: 'tokenstorm-public' });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(r1);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: r1, client_id: 'tokenstorm-public' });
    expect([reuse.status, reuse.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('tokenstorm-dpop: a code exchange without a DPoP proof is refused', async () => {
    const doc = await http.send('discovery', { method: 'GET', url: new URL(`${issuerOf('tokenstorm')}/.well-known/openid-configuration`) });
    if (!doc.ok) throw new Error(doc.failure.message);
    expect((JSON.parse(doc.res.body) as { dpop_signing_alg_values_supported?: string[] }).dpop_signing_alg_values_supported).toContain('ES256');
    const got = await codeFor('tokenstorm-dpop');
    const res = await token({ grant_type: 'authorization_code', code: got.code, redirect_uri: REDIRECT_URI, client_id: 'tokenstorm-dpop', code_verifier: got.verifier });
    expect(res.status).toBe(400);
    expect(`${res.body.error} ${res.body.error_description}`).toMatch(/dpop/i);
  });
});
