/**
 * Scenario `target.login` and secrets from the environment, from the outside: the built binary's
 * `run --dry-run` on scenarios/keycloak.ts (exit 0, the plan names the login driver, the password
 * nowhere) and without KEYCLOAK_PASSWORD (exit 2, one line naming the variable).
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runBin } from '../../support/cli.ts';


const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> => runBin(args, { cwd: ROOT, env });

describe('run keycloak --dry-run', () => {
  it('plans the keycloak login driver with the password from KEYCLOAK_PASSWORD, never printing it', async () => {
    const r = await cli(['run', 'keycloak', '--dry-run'], { ...process.env, KEYCLOAK_PASSWORD: 'dry-run-password-77' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('remote issuer http://127.0.0.1:8080/realms/tokenstorm');
    expect(r.stdout).toContain('login driver keycloak');
    expect(r.stdout + r.stderr).not.toContain('dry-run-password-77');
  });

  it('without KEYCLOAK_PASSWORD: exit 2 and one line naming the variable', async () => {
    const env = { ...process.env };
    delete env.KEYCLOAK_PASSWORD;
    const r = await cli(['run', 'keycloak', '--dry-run'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toBe(
      'tokenstorm: scenarios/keycloak.ts: target.password reads the environment variable KEYCLOAK_PASSWORD, which is not set (export KEYCLOAK_PASSWORD=…)',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
