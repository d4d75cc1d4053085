import { Command } from 'commander';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerIdp, runIdp } from '../../../src/cli/idp.ts';
import { isTokenstormError } from '../../../src/errors.ts';

function program(): Command {
  const p = new Command('tokenstorm').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerIdp(p);
  return p;
}

describe('tokenstorm idp', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints issuer, clients, redirect uri and users, serves until aborted, then stops', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const controller = new AbortController();
    const running = runIdp({ port: 0, codeTtl: 5, autoApprove: false }, controller.signal);
    await vi.waitFor(() => expect(out.join('')).toContain('Press Ctrl-C to stop.'), { timeout: 20_000, interval: 50 });
    const text = out.join('');
    const issuer = /issuer {9}(http:\/\/127\.0\.0\.1:\d+)\n/.exec(text)?.[1] ?? '';
    expect(text).toBe(
      [
        'tokenstorm idp: embedded reference IdP (oidc-provider) is running',
        `  issuer         ${issuer}`,
        `  discovery      ${issuer}/.well-known/openid-configuration`,
        '  client id      tokenstorm (public, token_endpoint_auth_method none, PKCE S256 required)',
        '  second client  tokenstorm-b',
        '  confidential   tokenstorm-basic (client_secret_basic), tokenstorm-post (client_secret_post): secret from TOKENSTORM_IDP_CLIENT_SECRET when set, else random and not shown',
        '  private key    tokenstorm-jwt (private_key_jwt; key made per process: use it through the embedded target of `tokenstorm run`)',
        '  DPoP-bound     tokenstorm-dpop (public, tokens bound to a DPoP key)',
        `  redirect uri   ${issuer}/cb`,
        '  users          alice, bob (any login name and any password are accepted)',
        '  code ttl       5 s',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const res = await request(`${issuer}/.well-known/openid-configuration`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    controller.abort();
    await running;
    expect(out.at(-1)).toBe('tokenstorm idp: stopped\n');
    await expect(request(`${issuer}/jwks`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects bad --port and --code-ttl with ERR_USAGE', async () => {
    const bad = await program()
      .parseAsync(['node', 'tokenstorm', 'idp', '--port', '99999'])
      .catch((e: unknown) => e);
    expect(isTokenstormError(bad, 'ERR_USAGE')).toBe(true);
    expect((bad as Error).message).toBe("--port must be an integer in 0..65535 (got '99999')");
    const ttl = await program()
      .parseAsync(['node', 'tokenstorm', 'idp', '--code-ttl', '1.5'])
      .catch((e: unknown) => e);
    expect((ttl as Error).message).toBe("--code-ttl must be an integer in 1..86400 (got '1.5')");
  });

  it('has examples in --help', async () => {
    let help = '';
    const p = new Command('tokenstorm').exitOverride().configureOutput({ writeOut: (s) => (help += s) });
    registerIdp(p);
    await p.parseAsync(['node', 'tokenstorm', 'idp', '--help']).catch(() => {});
    expect(help).toContain('--code-ttl <s>');
    expect(help).toContain('$ tokenstorm idp --port 4000');
  });
});
