import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { isTokenstormError } from '../../../src/errors.ts';
import { Browser, authorizeUrl, exchange, obtainCode, pkcePair } from './headless-login.ts';

describe('embedded IdP: clock offset and fault modes', () => {
  let idp: EmbeddedIdp;
  beforeAll(async () => {
    idp = await startEmbeddedIdp();
  });
  afterEach(async () => {
    await idp.setClockOffset(0);
    await idp.setMode({});
  });
  afterAll(async () => {
    await idp?.stop();
  });

  async function flowTokens() {
    const { verifier, challenge } = pkcePair();
    const code = await obtainCode({ ...idp, challenge, method: 'S256' });
    return exchange(idp.issuer, {
      grant_type: 'authorization_code',
      client_id: idp.clientId,
      code,
      redirect_uri: idp.redirectUri,
      code_verifier: verifier,
    });
  }

  async function idTokenClaims(idToken: string, currentDate?: Date) {
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload } = await jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: idp.clientId, currentDate });
    return payload;
  }

  it('a forward offset shifts id_token iat and exp by the offset', async () => {
    await idp.setClockOffset(3_600_000);
    const res = await flowTokens();
    expect(res.status).toBe(200);
    const claims = await idTokenClaims(String(res.json.id_token));
    const nowSec = Date.now() / 1000;
    expect(Math.abs((claims.iat ?? 0) - (nowSec + 3600))).toBeLessThan(5);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
  });

  it('a backward offset (within cookie lifetimes) issues tokens that are already old', async () => {
    await idp.setClockOffset(-300_000);
    const res = await flowTokens();
    expect(res.status).toBe(200);
    const idToken = String(res.json.id_token);
    const claims = await idTokenClaims(idToken, new Date(Date.now() - 300_000));
    expect(Math.abs((claims.iat ?? 0) - (Date.now() / 1000 - 300))).toBeLessThan(5);
  });

  it('a code issued before a forward jump past its TTL is expired', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await obtainCode({ ...idp, challenge, method: 'S256' });
    await idp.setClockOffset(61_000);
    const res = await exchange(idp.issuer, {
      grant_type: 'authorization_code',
      client_id: idp.clientId,
      code,
      redirect_uri: idp.redirectUri,
      code_verifier: verifier,
    });
    expect(res.status).toBe(400);
    expect(res.detail).toBe('authorization code is expired');
    expect(idp.recentErrorDetails().at(-1)).toMatchObject({
      event: 'grant.error',
      error: 'invalid_grant',
      detail: 'authorization code is expired',
    });
  });

  it('rejectS256 turns S256 authorization requests into invalid_request error redirects; {} restores', async () => {
    await idp.setMode({ rejectS256: true });
    const { challenge } = pkcePair();
    const browser = new Browser();
    const res = await browser.send('GET', authorizeUrl({ ...idp, challenge, method: 'S256', state: 's-rej' }));
    expect(res.status).toBe(303);
    const cb = new URL(res.location ?? '');
    expect(`${cb.origin}${cb.pathname}`).toBe(idp.redirectUri);
    expect(Object.fromEntries(cb.searchParams)).toEqual({
      error: 'invalid_request',
      error_description: 'not supported value of code_challenge_method',
      state: 's-rej',
      iss: idp.issuer,
    });
    expect(res.detail).toBe('not supported value of code_challenge_method');
    expect(idp.recentErrorDetails().at(-1)).toMatchObject({
      event: 'authorization.error',
      error: 'invalid_request',
      detail: 'not supported value of code_challenge_method',
    });

    await idp.setMode({});
    const ok = await flowTokens();
    expect(ok.status).toBe(200);
  });

  it('rejects a non-finite clock offset with ERR_USAGE', async () => {
    const err = await idp.setClockOffset(Number.NaN).catch((e: unknown) => e);
    expect(isTokenstormError(err, 'ERR_USAGE')).toBe(true);
    expect((err as Error).message).toBe('clock offset must be a finite number of ms (got NaN)');
  });
});
