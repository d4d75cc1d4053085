import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { invalidMessage, scenario } from './helpers.ts';

describe('target.login', () => {
  it('defaults to the oidc-provider driver', () => {
    expect(validateScenario(scenario(), null).target.login).toEqual({ driver: 'oidc-provider' });
  });

  it('takes the form and keycloak overrides', () => {
    const login = { driver: 'form', usernameField: 'email', passwordField: 'pass', consentButton: 'allow' };
    expect(validateScenario(scenario({ target: { login } }), null).target.login).toEqual(login);
    expect(validateScenario(scenario({ target: { login: { driver: 'keycloak' } } }), null).target.login).toEqual({ driver: 'keycloak' });
  });

  it('resolves a script module against the scenario folder', () => {
    const plan = validateScenario(scenario({ target: { login: { driver: 'script', module: 'login-script.ts' } } }), 'test/unit/target/fixtures/s.json');
    expect(plan.target.login).toEqual({ driver: 'script', module: resolve('test/unit/target/fixtures/login-script.ts') });
  });

  it('rejects unknown drivers, keys that do not apply, a missing module, one line each', () => {
    expect(invalidMessage(scenario({ target: { login: { driver: 'keycloack' } } }))).toBe(
      'test.json: target.login.driver must be one of oidc-provider, form, keycloak, script (got "keycloack"; did you mean keycloak?)',
    );
    expect(invalidMessage(scenario({ target: { login: { driver: 'keycloak', module: 'x.ts' } } }))).toBe(
      'test.json: target.login.module does not apply to the keycloak driver (it takes usernameField, passwordField, consentButton)',
    );
    expect(invalidMessage(scenario({ target: { login: { usernameField: 'email' } } }))).toBe(
      'test.json: target.login.usernameField does not apply to the oidc-provider driver (it takes no options)',
    );
    expect(invalidMessage(scenario({ target: { login: { driver: 'script' } } }))).toBe(
      'test.json: target.login.module is required for the script driver (a .ts file exporting login(ctx))',
    );
    expect(invalidMessage(scenario({ target: { login: { driver: 'script', module: 'nope.ts' } } }))).toBe(
      `test.json: target.login.module file not found: ${resolve('nope.ts')}`,
    );
    expect(invalidMessage(scenario({ target: { login: { drivr: 'form' } } }))).toBe(
      'test.json: target.login.drivr is not a known key (did you mean target.login.driver?)',
    );
  });
});

describe('secrets from the environment', () => {
  it('reads target.password from { env } at load time', () => {
    process.env.TOKENSTORM_TEST_PASSWORD = 'from-the-env';
    try {
      const plan = validateScenario(scenario({ target: { password: { env: 'TOKENSTORM_TEST_PASSWORD' } } }), null);
      expect(plan.target.password).toBe('from-the-env');
    } finally {
      delete process.env.TOKENSTORM_TEST_PASSWORD;
    }
  });

  it('says which variable is unset, never a value', () => {
    delete process.env.TOKENSTORM_TEST_UNSET;
    expect(invalidMessage(scenario({ target: { password: { env: 'TOKENSTORM_TEST_UNSET' } } }))).toBe(
      'test.json: target.password reads the environment variable TOKENSTORM_TEST_UNSET, which is not set (export TOKENSTORM_TEST_UNSET=…)',
    );
    expect(invalidMessage(scenario({ target: { password: { env: 42 } } }))).toBe(
      'test.json: target.password.env must be a string (got number); target.password must be a string or { env: "NAME" }',
    );
    expect(invalidMessage(scenario({ target: { password: { vars: 'X' } } }))).toContain('target.password.vars is not a known key');
  });
});
