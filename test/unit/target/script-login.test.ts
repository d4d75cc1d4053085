/**
 * The script driver: a user's TypeScript module (bundled with esbuild like scenarios) driving a
 * JSON login API on a real local socket, through the typed context (send, cookies, isCallback,
 * fail); and the driver's guards (loopback only, returned URL must be the redirect_uri).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import type { LoginDriver } from '../../../src/flow/login-driver.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import type { FlowTarget } from '../../../src/flow/target.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { createLoginDriver } from '../../../src/target/login/registry.ts';
import { type LoginScript, scriptLogin } from '../../../src/target/login/script.ts';
import { PASSWORD, REDIRECT_URI, startTinyIdp, USER } from './tiny-idp.ts';

let idp: Awaited<ReturnType<typeof startTinyIdp>>;
let http: HttpClient;

beforeAll(async () => {
  idp = await startTinyIdp();
  http = new HttpClient({ connections: 4, requestTimeoutMs: 5000, connectTimeoutMs: 2000 });
});
afterAll(async () => {
  await http?.close();
  await idp?.close();
});

async function run(driver: LoginDriver, password = PASSWORD) {
  const recorder = new Recorder({ now: () => 0 });
  const session = new FlowSession(http, recorder);
  const target = { issuer: idp.origin, redirectUri: REDIRECT_URI, username: USER, password, clientId: 'api', scope: 'openid' } as FlowTarget;
  const result = await driver.run(session, target, idp.authorizeUrl('api'));
  return { result, report: recorder.finish() };
}

describe('script login driver', () => {
  it('loads the module named in target.login.module and logs in through a JSON API', async () => {
    const driver = await createLoginDriver({ driver: 'script', module: join(import.meta.dirname, 'fixtures', 'login-script.ts') });
    const { result, report } = await run(driver);
    expect(report.failureEvidence).toEqual([]);
    expect(result?.callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(result?.endpoint).toBe('callback');
    expect(report.endpoints.login?.count).toBe(1);
  });

  it('ctx.fail records login_failed with the script description', async () => {
    const driver = await createLoginDriver({ driver: 'script', module: join(import.meta.dirname, 'fixtures', 'login-script.ts') });
    const { result, report } = await run(driver, 'nope-nope');
    expect(result).toBeNull();
    expect(report.failureEvidence).toEqual([{ failureClass: 'login_failed', endpoint: 'login', status: 0, description: 'script: login API said bad credentials' }]);
  });

  it('refuses non-loopback URLs and a result that is not the redirect_uri', async () => {
    const offsite: LoginScript = async (ctx) => (await ctx.send({ url: 'http://example.com/' }))?.location ?? null;
    const a = await run(scriptLogin(offsite));
    expect(a.report.failureEvidence[0]?.description).toBe('script: redirect to a non-loopback host example.com not followed');
    const wrong: LoginScript = () => 'http://127.0.0.1/elsewhere?code=x';
    const b = await run(scriptLogin(wrong));
    expect(b.report.failures).toEqual({ bad_response: 1 });
    const thrower: LoginScript = () => {
      throw new Error('boom');
    };
    const c = await run(scriptLogin(thrower));
    expect(c.report.failureEvidence[0]?.description).toBe('script: login script threw: boom');
  });

  it('submitForm fills a page form with its hidden inputs', async () => {
    const viaForm: LoginScript = async (ctx) => {
      const page = await ctx.send({ url: new URL('/authorize?client_id=one-step&state=st-1', ctx.authorizeUrl), endpoint: 'authorize' });
      if (!page) return null;
      const afterLogin = await ctx.submitForm(page, { em: ctx.target.username, pw: ctx.target.password }, { formId: 'login' });
      if (!afterLogin?.location) return ctx.fail('no redirect after login');
      const consent = await ctx.send({ url: afterLogin.location, endpoint: 'consent' });
      if (!consent) return null;
      const done = await ctx.submitForm(consent, {}, { button: 'Allow access', endpoint: 'consent' });
      return done?.location ?? ctx.fail('no redirect after consent');
    };
    const { result, report } = await run(scriptLogin(viaForm));
    expect(report.failureEvidence).toEqual([]);
    expect(result?.callbackUrl.searchParams.get('code')).toBeTruthy();
  });
});
