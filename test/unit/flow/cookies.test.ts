/**
 * The flow's cookie jar against RFC 6265's rules, and against tough-cookie's CookieJar (configured
 * as the harness configured it before) as an oracle on the same Set-Cookie sequences.
 */
import { CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { FlowCookies } from '../../../src/flow/cookies.ts';

const u = (s: string): URL => new URL(s);
const names = (header: string): string[] => (header === '' ? [] : header.split('; ').map((p) => p.split('=')[0]!).sort());

describe('FlowCookies', () => {
  it('keeps host-only cookies to their host and sends them on matching paths only', () => {
    const jar = new FlowCookies();
    jar.store('a=1; Path=/interaction/x1', u('http://127.0.0.1:3000/auth'));
    jar.store('b=2', u('http://127.0.0.1:3000/auth/resume/z'));
    expect(jar.header(u('http://127.0.0.1:3000/interaction/x1'))).toBe('a=1');
    expect(jar.header(u('http://127.0.0.1:3000/interaction/x1/login'))).toBe('a=1');
    expect(jar.header(u('http://127.0.0.1:3000/interaction/x10'))).toBe('');
    // No Path: the directory of the request path (/auth/resume).
    expect(jar.header(u('http://127.0.0.1:3000/auth/resume/other'))).toBe('b=2');
    expect(jar.header(u('http://127.0.0.1:3000/auth'))).toBe('');
    expect(jar.header(u('http://localhost:3000/interaction/x1'))).toBe('');
  });

  it('refuses a Domain the host is not in, and cookies that break the __Secure-/__Host- prefix rules', () => {
    const jar = new FlowCookies();
    expect(jar.store('a=1; Domain=example.com', u('http://localhost:3000/'))).toBeNull();
    expect(jar.store('__Secure-a=1', u('http://localhost:3000/'))).toBeNull();
    expect(jar.store('__Host-a=1; Secure; Path=/x', u('http://localhost:3000/'))).toBeNull();
    expect(jar.store('__Host-b=1; Secure; Path=/', u('http://localhost:3000/'))).not.toBeNull();
    expect(jar.store('c=1; Domain=localhost', u('http://localhost:3000/'))).not.toBeNull();
    expect(names(jar.header(u('http://localhost:3000/')))).toEqual(['__Host-b', 'c']);
  });

  it('keeps and sends Secure cookies over http to loopback only', () => {
    const jar = new FlowCookies();
    expect(jar.store('s=1; Secure; Path=/', u('http://127.0.0.1:8080/realms/x'))).not.toBeNull();
    expect(jar.header(u('http://127.0.0.1:8080/realms/x'))).toBe('s=1');
    expect(new FlowCookies().store('s=1; Secure', u('http://idp.test/'))).toBeNull();
    expect(new FlowCookies().store('s=1; Secure', u('https://idp.test/'))).not.toBeNull();
  });

  it('deletes a cookie set again with an expiry in the past, and evicts one whose Max-Age ran out', () => {
    const jar = new FlowCookies();
    const t = Date.UTC(2026, 11, 1, 12);
    jar.store('a=1; Path=/', u('http://127.0.0.1/'), t);
    jar.store('b=1; Path=/; Max-Age=10', u('http://127.0.0.1/'), t);
    expect(names(jar.header(u('http://127.0.0.1/'), t + 1000))).toEqual(['a', 'b']);
    jar.store('a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', u('http://127.0.0.1/'), t + 2000);
    expect(jar.header(u('http://127.0.0.1/'), t + 2000)).toBe('b=1');
    expect(jar.header(u('http://127.0.0.1/'), t + 11_000)).toBe('');
    expect(jar.size).toBe(0);
  });

  it('sends longer paths first, then older cookies; a replaced cookie keeps its place', () => {
    const jar = new FlowCookies();
    jar.store('x=1; Path=/', u('http://127.0.0.1/'));
    jar.store('y=1; Path=/', u('http://127.0.0.1/'));
    jar.store('z=1; Path=/a/b', u('http://127.0.0.1/'));
    jar.store('x=2; Path=/', u('http://127.0.0.1/'));
    expect(jar.header(u('http://127.0.0.1/a/b/c'))).toBe('z=1; x=2; y=1');
  });

  it('sends the same cookies as tough-cookie’s CookieJar on an oidc-provider-like login', () => {
    const steps: Array<[string, string[]]> = [
      ['http://127.0.0.1:3000/auth?client_id=c', ['_interaction=i1; path=/interaction/U1; expires=Tue, 01 Dec 2099 17:01:41 GMT; samesite=lax; httponly', '_interaction.sig=s1; path=/interaction/U1; samesite=lax; httponly', '_interaction_resume=r1; path=/auth/U1; expires=Tue, 01 Dec 2099 17:01:41 GMT; samesite=lax; httponly']],
      ['http://127.0.0.1:3000/interaction/U1/login', ['_interaction_resume=; path=/auth/U1; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly', '_session=S; path=/; samesite=lax; httponly; expires=Tue, 01 Dec 2099 17:01:41 GMT', '_session.legacy=L; path=/; httponly', 'flag=1; Max-Age=0; path=/']],
      ['http://127.0.0.1:3000/auth/U1', ['_interaction=; path=/interaction/U1; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'k=v; Domain=127.0.0.1; Path=/']],
    ];
    const visits = ['http://127.0.0.1:3000/interaction/U1', 'http://127.0.0.1:3000/auth/U1', 'http://127.0.0.1:3000/', 'http://127.0.0.1:3000/interaction/U1/x', 'http://localhost:3000/auth/U1'];
    const ours = new FlowCookies();
    const theirs = new CookieJar(undefined, { allowSecureOnLocal: true, looseMode: true, rejectPublicSuffixes: false });
    for (const [at, setCookies] of steps) {
      for (const sc of setCookies) {
        ours.store(sc, u(at));
        try {
          theirs.setCookieSync(sc, at);
        } catch {
          // Refused by the jar: ours must refuse it too (checked through the headers below).
        }
      }
      for (const v of visits) expect(names(ours.header(u(v))), `${at} then ${v}`).toEqual(names(theirs.getCookieStringSync(v)));
    }
  });
});
