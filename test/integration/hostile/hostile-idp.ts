/**
 * A hostile OpenID provider for tests: just enough of discovery, JWKS, authorize, a login page and
 * a token endpoint for tokenstorm's flow to run against it, with one misbehaviour per mode (issue
 * 15). It is a real HTTP server on 127.0.0.1 (port 0); it keeps every secret it issued or received
 * (codes, verifiers, tokens, cookie values, the password) so a test can scan every output for them.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** The misbehaviours, named after issue 15's cases. */
export const HOSTILE_MODES = [
  /** A well-behaved provider: the control case. */
  'ok',
  /** 50 MB token response (no Content-Length, chunked). */
  'huge-body',
  /** A token response that never ends (chunks until the client goes away). */
  'endless-body',
  /** A token response trickled 1 byte / 100 ms, for minutes. */
  'trickle-body',
  /** The discovery document trickled 1 byte / 100 ms. */
  'trickle-discovery',
  /** The token endpoint resets the connection. */
  'reset',
  /** ID tokens signed with a key not in the JWKS (same kid). */
  'forged-signature',
  /** ID tokens with `alg: none`. */
  'alg-none',
  /** Token responses without an id_token although the scope has openid. */
  'missing-id-token',
  /** Every secret echoed back in every error field and page; ANSI escape sequences in error text. */
  'echo-secrets',
  /** Discovery names an issuer with ANSI escape sequences in it. */
  'ansi-issuer',
] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

/** The client the tests' scenario names. */
export const CLIENT_ID = 'hostile-client';
export const REDIRECT_URI = 'http://127.0.0.1:9/cb';
/** The login password: echoed by the echo-secrets login page. */
export const PASSWORD = 'pw-Hunter2-xyzzy';
/** An ANSI sequence that would clear the screen. */
export const ANSI_CLEAR = '\u001b[2J\u001b[H';

/** A running hostile provider. */
export interface HostileIdp {
  issuer: string;
  /** Every secret issued or received (codes, verifiers, tokens, cookies, password). */
  secrets: Set<string>;
  /** Requests seen per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Starts a hostile provider in `mode` on 127.0.0.1.
 *
 * @example
 * const idp = await startHostileIdp('huge-body');
 * // tokenstorm run tiny.json --issuer idp.issuer --direct
 */
export async function startHostileIdp(mode: HostileMode): Promise<HostileIdp> {
  const good = await generateKeyPair('ES256', { extractable: true });
  const evil = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const secrets = new Set<string>([PASSWORD]);
  const hits = new Map<string, number>();
  const codes = new Map<string, { nonce: string }>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let issuer = '';
  let flowNo = 0;

  const secret = (bytes = 24): string => {
    const s = randomBytes(bytes).toString('base64url');
    secrets.add(s);
    return s;
  };
  // Writes `text` one byte every 100 ms until done or the client leaves.
  const trickle = (res: ServerResponse, text: string): void => {
    let i = 0;
    const t = setInterval(() => {
      if (i >= text.length || res.destroyed) {
        clearInterval(t);
        timers.delete(t);
        res.end();
        return;
      }
      res.write(text[i++]!);
    }, 100);
    timers.add(t);
  };
  const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };
  const redirect = (res: ServerResponse, to: string, extra: Record<string, string> = {}): void => {
    res.writeHead(302, { location: to, 'content-length': 0, ...extra });
    res.end();
  };
  const form = (req: IncomingMessage): Promise<URLSearchParams> =>
    new Promise((resolve) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        if (body.length < 100_000) body += d.toString('utf8');
      });
      req.on('end', () => resolve(new URLSearchParams(body)));
    });

  const discovery = (): Record<string, unknown> => ({
    issuer: mode === 'ansi-issuer' ? `${issuer}${ANSI_CLEAR}` : issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['ES256'],
  });

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = { nonce, sub: 'alice' };
    if (mode === 'alg-none') {
      const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...claims, iss: issuer, aud: CLIENT_ID, iat: now, exp: now + 300 })}.`;
    }
    const key = mode === 'forged-signature' ? evil.privateKey : good.privateKey;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(CLIENT_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key);
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const f = await form(req);
    const code = f.get('code') ?? '';
    const verifier = f.get('code_verifier') ?? '';
    if (verifier) secrets.add(verifier);
    const grant = codes.get(code);
    switch (mode) {
      case 'huge-body': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 * 1024 * 1024 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      case 'endless-body': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        const pump = (): void => {
          while (!res.destroyed) {
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        res.write('{"access_token":"');
        pump();
        return;
      }
      case 'trickle-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        trickle(res, JSON.stringify({ access_token: secret(), padding: 'x'.repeat(10_000) }));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'echo-secrets':
        json(res, 400, {
          error: `invalid_grant ${code} ${verifier}`,
          error_description: `code ${code} with verifier ${verifier} for ${PASSWORD}${ANSI_CLEAR} rejected`,
        });
        return;
      default:
        break;
    }
    if (!grant) {
      json(res, 400, { error: 'invalid_grant', error_description: 'unknown code' });
      return;
    }
    codes.delete(code);
    const body: Record<string, unknown> = { access_token: secret(), token_type: 'Bearer', expires_in: 300 };
    if (mode !== 'missing-id-token') {
      const t = await idToken(grant.nonce);
      secrets.add(t);
      body.id_token = t;
    }
    json(res, 200, body);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const cookie = `sid=${secret(12)}; Path=/; HttpOnly`;
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        if (mode === 'trickle-discovery') {
          res.writeHead(200, { 'content-type': 'application/json' });
          trickle(res, JSON.stringify({ ...discovery(), padding: 'x'.repeat(100_000) }));
        } else json(res, 200, discovery());
        return;
      case '/jwks':
        json(res, 200, { keys: [jwk] });
        return;
      case '/authorize': {
        const q = url.searchParams;
        const back = new URL(q.get('redirect_uri') ?? REDIRECT_URI);
        back.searchParams.set('state', q.get('state') ?? '');
        if (mode === 'echo-secrets') {
          // Odd flows: a login page that echoes the password; even flows: an error redirect whose
          // error fields carry the code it also sends.
          if (flowNo++ % 2 === 0) {
            redirect(res, `${issuer}/interaction/${secret(8)}`, { 'set-cookie': cookie });
            return;
          }
          const code = secret();
          back.searchParams.set('code', code);
          back.searchParams.set('error', `access_denied:${code}`);
          back.searchParams.set('error_description', `code ${code.slice(0, 6)} ${code}${ANSI_CLEAR}`);
          redirect(res, back.href, { 'set-cookie': cookie });
          return;
        }
        const code = secret();
        codes.set(code, { nonce: q.get('nonce') ?? '' });
        back.searchParams.set('code', code);
        redirect(res, back.href, { 'set-cookie': cookie });
        return;
      }
      default:
        if (url.pathname.startsWith('/interaction/')) {
          void form(req).then((f) => {
            const pw = f.get('password') ?? '';
            const sid = /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
            const page = `<html><body><h1>Login failed${ANSI_CLEAR}</h1><p>password ${pw} is wrong for session ${sid}; form ${f.toString()}</p></body></html>`;
            res.writeHead(400, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
            res.end(page);
          });
          return;
        }
        if (url.pathname === '/token' && req.method === 'POST') {
          void token(req, res);
          return;
        }
        json(res, 404, { error: 'not_found' });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    secrets,
    hits,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
