import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../src/scenario/validate.ts';

const load = { ratePerSec: 1, duration: '1s' };

describe('target.client and grant modes', () => {
  it('reads secrets from the environment, never from the file', () => {
    process.env.TS_TEST_SECRET = 'from-env-secret';
    const plan = validateScenario({ load, target: { client: { auth: 'client_secret_post', clientSecret: { env: 'TS_TEST_SECRET' } } } }, 's.json');
    expect(plan.target.client).toEqual({ auth: 'client_secret_post', clientSecret: 'from-env-secret', assertionAlg: 'ES256', dpop: null, par: false });
    delete process.env.TS_TEST_SECRET;
  });

  it('names an unset variable without echoing any value', () => {
    expect(() => validateScenario({ load, target: { client: { auth: 'client_secret_basic', clientSecret: { env: 'TS_NOT_SET_ANYWHERE' } } } }, 's.json')).toThrow(
      's.json: target.client.clientSecret reads the environment variable TS_NOT_SET_ANYWHERE, which is not set (export TS_NOT_SET_ANYWHERE=…)',
    );
  });

  it('rejects unknown methods, a secret on a public client and client_credentials without a confidential client', () => {
    expect(() => validateScenario({ load, target: { client: { auth: 'client_secret_jwt' } } }, null)).toThrow(/target\.client\.auth must be one of/);
    expect(() => validateScenario({ load, target: { client: { clientSecret: 'x' } } }, null)).toThrow(/clientSecret is set but target.client.auth is none/);
    expect(() => validateScenario({ load, mode: 'client_credentials' }, null)).toThrow(/mode client_credentials needs a confidential client/);
    expect(() => validateScenario({ load, target: { client: { dpop: 'RS256' } } }, null)).toThrow(/target.client.dpop must be/);
    expect(() => validateScenario({ load: { model: 'closed', vus: 1, duration: '1s' }, mode: 'refresh' }, null)).toThrow(/mode refresh needs the open model/);
  });
});
