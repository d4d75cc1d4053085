/**
 * `tokenstorm check` from the outside: one flow, every hop printed with its secrets redacted, and
 * the exit code telling whether the configuration works.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-check-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: dir });

describe('tokenstorm check', () => {
  it('prints every hop of one flow against the embedded IdP and exits 0', async () => {
    const r = await cli(['check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/authorize GET .*\/auth\?response_type=code&client_id=tokenstorm/);
    expect(r.stdout).toMatch(/token\s+POST .*\/token\n\s+→ 200/);
    expect(r.stdout).toMatch(/sets cookies _interaction/);
    expect(r.stdout).toMatch(/result {3}completed/);
    // Secrets in URLs are replaced: the callback's code, the state, nonce and challenge.
    expect(r.stdout).toMatch(/\/cb\?code=…&state=…/);
    expect(r.stdout).toMatch(/code_challenge=…/);
    // The seed's PKCE metrics as the first SLO to set.
    expect(r.stdout).toMatch(/M1 authorize success >= 99\.9%/);
    expect(r.stdout).toMatch(/M4 token p95 < 200 ms/);
  });

  it('lists the forms and field names of a login page, never their values', async () => {
    const { createServer } = await import('node:http');
    const page = '<html><head><title>Sign in</title></head><body><form id="login" method="post" action="/login"><input name="username"><input type="password" name="password" value="prefilled-secret-123"><input type="hidden" name="csrf" value="csrf-token-value-456"><button>Go</button></form></body></html>';
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: base, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks` }));
      } else if (req.url === '/jwks') {
        res.setHeader('content-type', 'application/json');
        res.end('{"keys":[]}');
      } else {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(page);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const scenario = join(dir, 'form.json');
      await writeFile(scenario, JSON.stringify({ load: { ratePerSec: 1, duration: '1s' }, target: { clientId: 'c', redirectUri: `${issuer}/cb`, login: { driver: 'form' } } }));
      const r = await cli(['check', scenario, '--issuer', issuer]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain('page title "Sign in"; forms: #login[username, password, csrf]');
      expect(r.stdout + r.stderr).not.toContain('prefilled-secret-123');
      expect(r.stdout + r.stderr).not.toContain('csrf-token-value-456');
    } finally {
      server.close();
    }
  });

  it('names the failure class and exits 1 when the client is misconfigured', async () => {
    const scenario = join(dir, 'bad-secret.json');
    await writeFile(scenario, JSON.stringify({ load: { ratePerSec: 1, duration: '1s' }, target: { client: { auth: 'client_secret_post', clientSecret: 'wrong-secret-value-42' } } }));
    const r = await cli(['check', scenario]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/result {3}FAILED: invalid_client at token HTTP 401 invalid_client/);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-value-42');
  });

  it('checks the client-credentials grant in that mode', async () => {
    const scenario = join(dir, 'cc.json');
    await writeFile(scenario, JSON.stringify({ mode: 'client_credentials', load: { ratePerSec: 1, duration: '1s' }, target: { client: { auth: 'private_key_jwt' } } }));
    const r = await cli(['check', scenario, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; target: { auth: string }; hops: Array<{ endpoint: string; status: number }> };
    expect(result.target.auth).toBe('private_key_jwt');
    expect(result.hops.at(-1)).toMatchObject({ endpoint: 'token', status: 200 });
  });

  it('exits 3 when the issuer cannot be reached', async () => {
    const scenario = join(dir, 'remote.json');
    await writeFile(scenario, JSON.stringify({ load: { ratePerSec: 1, duration: '1s' }, target: { clientId: 'x', redirectUri: 'http://127.0.0.1:9/cb' } }));
    const r = await cli(['check', scenario, '--issuer', 'http://127.0.0.1:9']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach issuer/);
  });
});
