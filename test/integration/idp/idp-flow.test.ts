import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { isTokenstormError } from '../../../src/errors.ts';
import { Browser, authorizeUrl, exchange, login, pkcePair } from './headless-login.ts';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded IdP: devInteractions login + token exchange', () => {
  let idp: EmbeddedIdp;
  beforeAll(async () => {
    idp = await startEmbeddedIdp();
  });
  afterAll(async () => {
    await idp?.stop();
  });

  it('announces issuer, clients, redirect uri and users', () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.clientId).toBe('tokenstorm');
    expect(idp.secondClientId).toBe('tokenstorm-b');
    expect(idp.redirectUri).toBe(`${idp.issuer}/cb`);
    expect(idp.users).toEqual(['alice', 'bob']);
    expect(pidAlive(idp.pid)).toBe(true);
    expect(idp.pid).not.toBe(process.pid);
  });

  it('discovery advertises S256 only and ES256 id tokens', async () => {
    const res = await request(`${idp.issuer}/.well-known/openid-configuration`);
    const meta = (await res.body.json()) as Record<string, unknown>;
    expect(meta.issuer).toBe(idp.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('runs the six-step login with the documented statuses, Locations and cookies', async () => {
    const { verifier, challenge } = pkcePair();
    const { callback, browser } = await login({ ...idp, challenge, method: 'S256', state: 'state-1' });
    const uid = /[\w-]{20,}/.source;
    const [s1, s2, s3, s4, s5] = browser.steps;
    expect(browser.steps).toHaveLength(5);
    expect([s1?.method, s1?.path, s1?.status]).toEqual(['GET', '/auth', 303]);
    expect(s1?.location).toMatch(new RegExp(`^/interaction/${uid}$`));
    const uid1 = s1?.location?.split('/')[2];
    expect(s1?.cookies).toEqual([
      `_interaction; path=/interaction/${uid1}`,
      `_interaction.sig; path=/interaction/${uid1}`,
      `_interaction_resume; path=/auth/${uid1}`,
      `_interaction_resume.sig; path=/auth/${uid1}`,
    ]);
    expect([s2?.method, s2?.path, s2?.status, s2?.location]).toEqual([
      'POST',
      `/interaction/${uid1}`,
      303,
      `${idp.issuer}/auth/${uid1}`,
    ]);
    expect(s2?.cookies).toEqual([]);
    expect([s3?.method, s3?.path, s3?.status]).toEqual(['GET', `/auth/${uid1}`, 303]);
    expect(s3?.location).toMatch(new RegExp(`^/interaction/${uid}$`));
    const uid2 = s3?.location?.split('/')[2];
    expect(uid2).not.toBe(uid1);
    expect(s3?.cookies).toContain('_session; path=/');
    expect(s3?.cookies).toContain(`_interaction; path=/interaction/${uid2}`);
    expect([s4?.method, s4?.path, s4?.status, s4?.location]).toEqual([
      'POST',
      `/interaction/${uid2}`,
      303,
      `${idp.issuer}/auth/${uid2}`,
    ]);
    expect([s5?.method, s5?.path, s5?.status]).toEqual(['GET', `/auth/${uid2}`, 303]);
    expect(`${callback.origin}${callback.pathname}`).toBe(idp.redirectUri);
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const code = callback.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);

    const token = await exchange(idp.issuer, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: idp.redirectUri,
      client_id: idp.clientId,
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);
    expect(token.detail).toBeUndefined();
    expect(token.json.token_type).toBe('Bearer');
    expect(typeof token.json.access_token).toBe('string');
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(String(token.json.id_token), jwks, {
      issuer: idp.issuer,
      audience: idp.clientId,
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('alice');
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('issues a refresh token for offline_access (with prompt=consent) and rotates it', async () => {
    const { verifier, challenge } = pkcePair();
    const { callback } = await login({
      ...idp,
      challenge,
      method: 'S256',
      scope: 'openid offline_access',
      extra: { prompt: 'consent' },
    });
    const token = await exchange(idp.issuer, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: idp.redirectUri,
      client_id: idp.clientId,
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);
    expect(token.json.scope).toBe('openid offline_access');
    const refreshToken = String(token.json.refresh_token);
    const refreshed = await exchange(idp.issuer, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: idp.clientId,
    });
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.json.access_token).toBe('string');
    expect(refreshed.json.refresh_token).not.toBe(refreshToken);
  });

  it('serves a 200 landing page at the redirect uri', async () => {
    const res = await request(`${idp.redirectUri}?code=x&state=y`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('tokenstorm: authorization response received\n');
  });

  it('requires PKCE: no challenge → error redirect invalid_request with iss and state', async () => {
    const browser = new Browser();
    const res = await browser.send('GET', authorizeUrl({ ...idp, state: 's-nopkce' }));
    expect(res.status).toBe(303);
    const cb = new URL(res.location ?? '');
    expect(cb.searchParams.get('error')).toBe('invalid_request');
    expect(cb.searchParams.get('error_description')).toBe(
      'Authorization Server policy requires PKCE to be used for this request',
    );
    expect(cb.searchParams.get('state')).toBe('s-nopkce');
    expect(cb.searchParams.get('iss')).toBe(idp.issuer);
    expect(res.detail).toBe('Authorization Server policy requires PKCE to be used for this request');
  });

  it('reports its CPU usage', async () => {
    const cpu = await idp.cpuUsage();
    expect(cpu.userMicros).toBeGreaterThan(0);
    expect(cpu.systemMicros).toBeGreaterThanOrEqual(0);
  });
});

describe('embedded IdP: autoApprove', () => {
  it('logs in and consents in one interaction step, honouring login_hint', async () => {
    const idp = await startEmbeddedIdp({ autoApprove: true });
    try {
      const { verifier, challenge } = pkcePair();
      const browser = new Browser();
      const s1 = await browser.send('GET', `${authorizeUrl({ ...idp, challenge, method: 'S256' })}&login_hint=bob`);
      expect(s1.status).toBe(303);
      expect(s1.location).toMatch(/^\/interaction\/[\w-]+$/);
      const s2 = await browser.send('GET', new URL(s1.location ?? '', idp.issuer).href);
      expect(s2.status).toBe(303);
      expect(s2.location).toMatch(new RegExp(`^${idp.issuer}/auth/[\\w-]+$`));
      const s3 = await browser.send('GET', s2.location ?? '');
      expect(s3.status).toBe(303);
      const cb = new URL(s3.location ?? '');
      const token = await exchange(idp.issuer, {
        grant_type: 'authorization_code',
        code: cb.searchParams.get('code') ?? '',
        redirect_uri: idp.redirectUri,
        client_id: idp.clientId,
        code_verifier: verifier,
      });
      expect(token.status).toBe(200);
      const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
      const { payload } = await jwtVerify(String(token.json.id_token), jwks, { issuer: idp.issuer });
      expect(payload.sub).toBe('bob');
    } finally {
      await idp.stop();
    }
  });
});

describe('embedded IdP: lifecycle', () => {
  it('stop() kills the child and is idempotent', async () => {
    const idp = await startEmbeddedIdp();
    expect(pidAlive(idp.pid)).toBe(true);
    await idp.stop();
    expect(pidAlive(idp.pid)).toBe(false);
    await idp.stop();
    await expect(idp.cpuUsage()).rejects.toSatisfy((e) => isTokenstormError(e, 'ERR_TARGET_UNREACHABLE'));
  });

  it('stop() also kills a SIGSTOPped child', async () => {
    const idp = await startEmbeddedIdp();
    process.kill(idp.pid, 'SIGSTOP');
    await idp.stop();
    expect(pidAlive(idp.pid)).toBe(false);
  });

  it('the child exits when its parent dies (IPC disconnect)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/idp-parent.ts', import.meta.url));
    const parent = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const { pid } = JSON.parse(line.toString()) as { pid: number };
      expect(pidAlive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await expect.poll(() => pidAlive(pid), { timeout: 10_000, interval: 100 }).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a port already in use fails with ERR_IDP_START', async () => {
    const first = await startEmbeddedIdp();
    try {
      const port = Number(new URL(first.issuer).port);
      const err = await startEmbeddedIdp({ port }).catch((e: unknown) => e);
      expect(isTokenstormError(err, 'ERR_IDP_START')).toBe(true);
      expect((err as Error).message).toBe(`embedded IdP failed to start: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    } finally {
      await first.stop();
    }
  });

  it('rejects bad options with ERR_USAGE', async () => {
    await expect(startEmbeddedIdp({ codeTtlSec: 0 })).rejects.toThrow('idp codeTtlSec must be an integer >= 1 (got 0)');
    await expect(startEmbeddedIdp({ port: 70000 })).rejects.toThrow('idp port must be an integer 0..65535 (got 70000)');
  });
});
