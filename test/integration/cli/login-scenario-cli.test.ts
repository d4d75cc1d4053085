/**
 * Scenario `target.login` and secrets from the environment, from the outside: the built binary's
 * `run --dry-run` on scenarios/keycloak.ts (exit 0, the plan names the login driver, the password
 * nowhere) and without KEYCLOAK_PASSWORD (exit 2, one line naming the variable).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/tokenstorm.js');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(node, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

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
