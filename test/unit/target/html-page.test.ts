import { describe, expect, it } from 'vitest';
import { describePage, parsePage } from '../../../src/target/login/html-page.ts';

const base = new URL('http://127.0.0.1:9000/realms/r/login?x=1');

describe('parsePage', () => {
  it('reads forms as a browser submits them: decoded action, method, every kind of field', () => {
    const page = parsePage(
      `<html><head><title> Log
        in </title></head><body data-page-id="login-login">
        <FORM ID="f" ACTION="/submit?a=1&amp;b=2" METHOD="POST">
          <input type="hidden" name="csrf" value="t&lt;1&gt;">
          <input name="user" autocomplete="Username">
          <input type="password" name="pw">
          <input type="checkbox" name="keep" value="yes" checked>
          <input type="radio" name="r" value="1">
          <input name="off" disabled value="x">
          <select name="lang"><option value="en">English</option><option value="fr" selected>Français</option></select>
          <textarea name="note">hello</textarea>
          <input type="file" name="upload">
          <button type="button" name="peek">peek</button>
          <button name="go" value="1"> Sign
             in </button>
          <input type="submit" name="alt" value="Other">
        </FORM>
        <form><input name="q"></form>
        <div class="alert alert-error"><span>Wrong   password</span></div>
        <script>var error = "not a message";</script>
      </body></html>`,
      base,
    );
    expect(page.title).toBe('Log in');
    expect(page.pageId).toBe('login-login');
    expect(page.messages).toEqual(['Wrong password']);
    const [f, g] = page.forms;
    expect(f?.action.href).toBe('http://127.0.0.1:9000/submit?a=1&b=2');
    expect(f?.method).toBe('POST');
    expect(f?.fields.map((x) => [x.name, x.type, x.value, x.checked])).toEqual([
      ['csrf', 'hidden', 't<1>', false],
      ['user', 'text', '', false],
      ['pw', 'password', '', false],
      ['keep', 'checkbox', 'yes', true],
      ['r', 'radio', '1', false],
      ['lang', 'select', 'fr', false],
      ['note', 'textarea', 'hello', false],
    ]);
    expect(f?.fields[1]?.autocomplete).toBe('username');
    expect(f?.submits.map((b) => [b.name, b.value, b.label])).toEqual([
      ['go', '1', 'Sign in'],
      ['alt', 'Other', 'Other'],
    ]);
    // A form without action posts back to the page (GET by default).
    expect(g?.action.href).toBe(base.href);
    expect(g?.method).toBe('GET');
    expect(describePage(page)).toBe('title "Log in"; forms: #f[csrf, user, pw, keep, r, lang, note] form[q]');
    expect(page.text).not.toContain('not a message');
  });

  it('survives broken HTML', () => {
    const page = parsePage('<title>x</title><form action=/a><input name=u><input type=password name=p><p>unclosed', base);
    expect(page.forms[0]?.fields.map((f) => f.name)).toEqual(['u', 'p']);
  });
});
