/**
 * A tiny login front end on a real socket (127.0.0.1, port 0) for the form and script drivers'
 * tests: small HTML pages with CSRF tokens, a session cookie, multi-step login, a consent page, a
 * JavaScript-only page and a JSON login API. Only the pages are small: every check a real IdP
 * makes on them (cookie, hidden token, credentials, which button) is made here too, and a request
 * failing one gets a 400 page naming what was wrong.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const REDIRECT_URI = 'http://127.0.0.1/callback';
export const USER = 'alice';
export const PASSWORD = 'correct horse';

/** Flows the server offers, chosen by the authorize request's client_id. */
export type TinyFlow = 'one-step' | 'multi-step' | 'get-form' | 'js-only' | 'offsite' | 'huge' | 'api' | 'two-passwords';

interface Session {
  flow: TinyFlow;
  state: string;
  csrf: string;
  step: 'start' | 'identified' | 'authenticated';
  user?: string;
}

const page = (title: string, body: string): string =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>`;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the server; `close()` stops it. `seen` counts accepted logins and refused requests. */
export async function startTinyIdp(): Promise<{ origin: string; authorizeUrl(flow: TinyFlow): URL; close(): Promise<void>; seen: { codes: number; refused: string[] } }> {
  const sessions = new Map<string, Session>();
  const seen = { codes: 0, refused: [] as string[] };
  const refuse = (res: ServerResponse, why: string): void => {
    seen.refused.push(why);
    res.writeHead(400, { 'content-type': 'text/html' }).end(page('Error', `<p class="error">${why}</p>`));
  };
  const toCallback = (res: ServerResponse, s: Session): void => {
    seen.codes++;
    res.writeHead(302, { location: `${REDIRECT_URI}?code=${randomUUID()}&state=${encodeURIComponent(s.state)}` }).end();
  };
  const loginForm = (s: Session, method: 'post' | 'get', error = ''): string =>
    page(
      'Sign in',
      `${error ? `<div role="alert">${error}</div>` : ''}<form id="login" method="${method}" action="/login?x=1&amp;y=2">
        <input type="hidden" name="csrf" value="${s.csrf}">
        <label>Email <input type="email" name="em" autocomplete="username"></label>
        <input type="password" name="pw">
        <input type="checkbox" name="remember" value="on">
        <button type="button" name="show">show</button>
        <button type="submit" name="action" value="signin">Sign in</button></form>
       <form id="search" action="/search"><input name="q"></form>`,
    );

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const s = sid ? sessions.get(sid) : undefined;
    const body = req.method === 'POST' ? await readBody(req) : '';
    const form = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    if (url.pathname === '/authorize') {
      const flow = url.searchParams.get('client_id') as TinyFlow;
      const id = randomUUID();
      const session: Session = { flow, state: url.searchParams.get('state') ?? '', csrf: randomUUID(), step: 'start' };
      sessions.set(id, session);
      res.setHeader('set-cookie', `sid=${id}; Path=/; HttpOnly; Secure; SameSite=None`);
      res.setHeader('content-type', 'text/html');
      if (flow === 'offsite') return void res.writeHead(302, { location: 'http://example.com/login' }).end();
      if (flow === 'huge') return void res.end(page('Huge', `<p>${'x'.repeat(3 * 1024 * 1024)}</p>`));
      if (flow === 'js-only') {
        return void res.end(page('Welcome', '<div id="app"></div><script>render()</script><form id="newsletter"><input name="email_address" type="text" value="prefilled-secret"></form>'));
      }
      if (flow === 'api') return void res.end(page('App', '<div id="root"></div><script src="/app.js"></script>'));
      if (flow === 'two-passwords') {
        return void res.end(page('Change password', `<form method="post" action="/login"><input type="password" name="new"><input type="password" name="confirm"></form>`));
      }
      if (flow === 'multi-step') {
        return void res.end(
          page('Sign in', `<form method="post" action="/identify"><input type="hidden" name="csrf" value="${session.csrf}"><input name="identifier" autocomplete="username"><input type="submit" value="Next"></form>`),
        );
      }
      return void res.end(loginForm(session, flow === 'get-form' ? 'get' : 'post'));
    }
    if (!s) return refuse(res, 'no session cookie');
    if (url.pathname === '/identify' && req.method === 'POST') {
      if (form.get('csrf') !== s.csrf) return refuse(res, 'bad csrf');
      s.user = form.get('identifier') ?? '';
      s.step = 'identified';
      res.setHeader('content-type', 'text/html');
      return void res.end(
        page('Password', `<form method="post" action="/login"><input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="em" value="${s.user}"><input type="password" name="pw"><button>Sign in</button></form>`),
      );
    }
    if (url.pathname === '/login') {
      if (s.flow === 'one-step' && url.searchParams.get('x') !== '1') return refuse(res, 'action query lost');
      if (form.get('csrf') !== s.csrf) return refuse(res, 'bad csrf');
      if (form.get('remember') !== null) return refuse(res, 'unchecked checkbox sent');
      if (form.get('show') !== null) return refuse(res, 'non-submit button sent');
      if (s.flow !== 'multi-step' && form.get('action') !== 'signin') return refuse(res, 'submit button not sent');
      if (form.get('em') !== USER || form.get('pw') !== PASSWORD) {
        res.setHeader('content-type', 'text/html');
        return void res.end(loginForm(s, s.flow === 'get-form' ? 'get' : 'post', 'Invalid email or password.'));
      }
      s.step = 'authenticated';
      s.csrf = randomUUID();
      return void res.writeHead(303, { location: '/consent' }).end();
    }
    if (url.pathname === '/consent') {
      if (s.step !== 'authenticated') return refuse(res, 'consent before login');
      if (req.method === 'GET') {
        res.setHeader('content-type', 'text/html');
        return void res.end(
          page('Authorize tiny', `<form method="post" action="/consent"><input type="hidden" name="csrf" value="${s.csrf}"><button type="submit" name="decision" value="deny">Deny</button><button type="submit" name="decision" value="allow">Allow access</button></form>`),
        );
      }
      if (form.get('csrf') !== s.csrf) return refuse(res, 'bad csrf');
      if (form.get('decision') !== 'allow') return refuse(res, `consent ${form.get('decision')}`);
      return toCallback(res, s);
    }
    if (url.pathname === '/api/login' && req.method === 'POST') {
      const j = JSON.parse(body) as { user?: string; password?: string; session?: string };
      res.setHeader('content-type', 'application/json');
      if (j.session !== sid) return void res.writeHead(400).end(JSON.stringify({ error: 'session mismatch' }));
      if (j.user !== USER || j.password !== PASSWORD) return void res.writeHead(401).end(JSON.stringify({ error: 'bad credentials' }));
      s.step = 'authenticated';
      return void res.end(JSON.stringify({ redirect: '/resume' }));
    }
    if (url.pathname === '/resume' && s.step === 'authenticated') return toCallback(res, s);
    return refuse(res, `unexpected ${req.method} ${url.pathname}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    authorizeUrl: (flow) => {
      const u = new URL('/authorize', origin);
      u.searchParams.set('client_id', flow);
      u.searchParams.set('redirect_uri', REDIRECT_URI);
      u.searchParams.set('state', 'st-1');
      return u;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
