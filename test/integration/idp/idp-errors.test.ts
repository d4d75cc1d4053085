/**
 * Confirms the exact oidc-provider 9 error details documented in src/idp/error-details.ts, that
 * they arrive in the x-tokenstorm-error-detail header and over IPC, and that none carries a secret.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { classifyOAuthError } from '../../../src/flow/classify.ts';
import { OIDC_PROVIDER_DETAILS, redactDetail } from '../../../src/idp/error-details.ts';

// The flow's classifier is the one mapping from detail to failure class.
const failureClassForDetail = (detail: string) => classifyOAuthError({ status: 400, error: 'invalid_grant', detail });
import { type ExchangeResult, exchange, obtainCode, pkcePair } from './headless-login.ts';

const GENERIC = { error: 'invalid_grant', error_description: 'grant request is invalid' };

describe('embedded IdP: token endpoint error details', () => {
  let idp: EmbeddedIdp;
  const secrets: string[] = [];
  const results: ExchangeResult[] = [];

  beforeAll(async () => {
    idp = await startEmbeddedIdp();
  });
  afterAll(async () => {
    await idp?.stop();
  });

  async function freshCode(clientId = idp.clientId) {
    const pair = pkcePair();
    const code = await obtainCode({ ...idp, clientId, challenge: pair.challenge, method: 'S256' });
    secrets.push(code, pair.verifier);
    return { code, ...pair };
  }

  async function redeem(form: Record<string, string | undefined>): Promise<ExchangeResult> {
    const result = await exchange(idp.issuer, { grant_type: 'authorization_code', client_id: idp.clientId, ...form });
    results.push(result);
    if (typeof result.json.access_token === 'string') secrets.push(result.json.access_token);
    if (typeof result.json.id_token === 'string') secrets.push(result.json.id_token);
    return result;
  }

  it('wrong verifier → invalid_grant "code_verifier does not match code_challenge", code not burnt', async () => {
    const { code, verifier } = await freshCode();
    const wrong = pkcePair().verifier;
    const res = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: wrong });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(GENERIC);
    expect(res.detail).toBe('code_verifier does not match code_challenge');
    expect(failureClassForDetail(res.detail ?? '')).toBe('pkce_mismatch');
    // PKCE is checked before the code is consumed: the rightful client can still redeem it.
    const ok = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier });
    expect(ok.status).toBe(200);
  });

  it('verifier equal to the challenge → pkce mismatch', async () => {
    const { code, challenge } = await freshCode();
    const res = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: challenge });
    expect(res.detail).toBe(OIDC_PROVIDER_DETAILS.pkceMismatch);
  });

  it('missing verifier → invalid_grant "code_verifier must be provided"', async () => {
    const { code } = await freshCode();
    const res = await redeem({ code, redirect_uri: idp.redirectUri });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(GENERIC);
    expect(res.detail).toBe('code_verifier must be provided');
    expect(failureClassForDetail(res.detail ?? '')).toBe('pkce_verifier_missing');
  });

  it('malformed verifier → invalid_request with the description as detail', async () => {
    const { code } = await freshCode();
    const short = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: 'a'.repeat(42) });
    expect(short.status).toBe(400);
    expect(short.json).toEqual({
      error: 'invalid_request',
      error_description: 'code_verifier must be a string with a minimum length of 43 characters',
    });
    expect(short.detail).toBe('code_verifier must be a string with a minimum length of 43 characters');
    const bad = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: `${'a'.repeat(42)}!` });
    expect(bad.detail).toBe('code_verifier contains invalid characters');
  });

  it('reused code → "authorization code already consumed", first tokens revoked, then "not found"', async () => {
    const { code, verifier } = await freshCode();
    const first = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier });
    expect(first.status).toBe(200);
    const userinfo = async () =>
      (
        await request(`${idp.issuer}/me`, {
          headers: { authorization: `Bearer ${String(first.json.access_token)}`, accept: 'application/json' },
        })
      ).statusCode;
    expect(await userinfo()).toBe(200);
    const replay = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(replay.json).toEqual(GENERIC);
    expect(replay.detail).toBe('authorization code already consumed');
    expect(failureClassForDetail(replay.detail ?? '')).toBe('code_reused');
    expect(await userinfo()).toBe(401);
    const third = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier });
    expect(third.detail).toBe('authorization code not found');
  });

  it('replay with a wrong verifier after success → pkce mismatch, no revocation (OAuth 2.1 §7.5.2)', async () => {
    const { code, verifier } = await freshCode();
    const first = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier });
    const replay = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: pkcePair().verifier });
    expect(replay.detail).toBe(OIDC_PROVIDER_DETAILS.pkceMismatch);
    const res = await request(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${String(first.json.access_token)}` } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('redirect_uri mismatch → "authorization code redirect_uri mismatch"; missing → invalid_request', async () => {
    const { code, verifier } = await freshCode();
    const res = await redeem({ code, redirect_uri: `${idp.redirectUri}/other`, code_verifier: verifier });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(GENERIC);
    expect(res.detail).toBe('authorization code redirect_uri mismatch');
    expect(failureClassForDetail(res.detail ?? '')).toBe('redirect_uri_mismatch');
    const missing = await redeem({ code, code_verifier: verifier });
    expect(missing.json).toEqual({ error: 'invalid_request', error_description: "missing required parameter 'redirect_uri'" });
    expect(missing.detail).toBe("missing required parameter 'redirect_uri'");
  });

  it('unknown code → "authorization code not found"', async () => {
    const res = await redeem({ code: pkcePair().verifier, redirect_uri: idp.redirectUri, code_verifier: pkcePair().verifier });
    expect(res.status).toBe(400);
    expect(res.detail).toBe('authorization code not found');
  });

  it('code of client A redeemed by client B → "client mismatch"', async () => {
    const { code, verifier } = await freshCode();
    const res = await redeem({ code, redirect_uri: idp.redirectUri, code_verifier: verifier, client_id: idp.secondClientId });
    expect(res.status).toBe(400);
    expect(res.detail).toBe('client mismatch');
  });

  it('forwards each detail over IPC, and no detail, header or IPC message carries a secret', async () => {
    const details = idp.recentErrorDetails();
    const grantErrors = details.filter((d) => d.event === 'grant.error').map((d) => d.detail);
    expect(grantErrors).toEqual(results.filter((r) => r.status !== 200).map((r) => r.detail));
    for (const d of details) {
      expect(d.at).toBeGreaterThan(Date.now() - 60_000);
      expect(d.error).toMatch(/^invalid_(grant|request)$/);
    }
    const everything = JSON.stringify({ details, results: results.map((r) => r.detail) });
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(everything.includes(secret)).toBe(false);
  });
});

describe('embedded IdP: code expiry', () => {
  it('a code past ttl.AuthorizationCode → "authorization code is expired"', async () => {
    const idp = await startEmbeddedIdp({ codeTtlSec: 1 });
    try {
      const { verifier, challenge } = pkcePair();
      const code = await obtainCode({ ...idp, challenge, method: 'S256' });
      await new Promise((r) => setTimeout(r, 1200));
      const res = await exchange(idp.issuer, {
        grant_type: 'authorization_code',
        client_id: idp.clientId,
        code,
        redirect_uri: idp.redirectUri,
        code_verifier: verifier,
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual(GENERIC);
      expect(res.detail).toBe('authorization code is expired');
      expect(failureClassForDetail(res.detail ?? '')).toBe('code_expired');
    } finally {
      await idp.stop();
    }
  });
});

describe('redactDetail', () => {
  it('keeps detail strings and redacts token-like runs', () => {
    for (const d of Object.values(OIDC_PROVIDER_DETAILS)) expect(redactDetail(d)).toBe(d);
    expect(redactDetail("missing required parameter 'redirect_uri'")).toBe("missing required parameter 'redirect_uri'");
    const { verifier } = pkcePair();
    expect(redactDetail(`bad code ${verifier} here`)).toBe('bad code [redacted] here');
    expect(redactDetail('jti a1b2c3d4e5f6a7b8c9d0e1 gone')).toBe('jti [redacted] gone');
    expect(redactDetail(`line\nbreak ${'x'.repeat(300)}`)).toBe('line break [redacted]');
    expect(redactDetail('y'.repeat(10).concat(' ').repeat(40))).toHaveLength(200);
  });
});
