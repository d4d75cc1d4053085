import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { printableUrl, redactEvidence, scrubSecrets, stripControl } from '../../../src/metrics/redact.ts';

describe('redaction of target-supplied text', () => {
  it('scrubs every secret the flow handled, however short, raw and URL-encoded', () => {
    expect(scrubSecrets('code abc1 and a+b/c= bad', ['abc1', 'a+b/c='])).toBe('code [redacted] and [redacted] bad');
    expect(scrubSecrets('form password=p%40ss%20word', ['p@ss word'])).toBe('form password=[redacted]');
    expect(scrubSecrets('form password=p%40ss+word', ['p@ss word'])).toBe('form password=[redacted]');
    // Shorter than 4 characters: would match ordinary words.
    expect(scrubSecrets('a bad day', ['a'])).toBe('a bad day');
  });

  it('redacts the OAuth error field as well as the description, and keeps the rest', () => {
    const ev = redactEvidence(
      { failureClass: 'other', endpoint: 'token', status: 400, error: 'invalid_grant xK9q', description: 'code xK9q for pw hunter22 \u001b[2J' },
      ['xK9q', 'hunter22'],
    );
    expect(ev).toEqual({ failureClass: 'other', endpoint: 'token', status: 400, error: 'invalid_grant [redacted]', description: 'code [redacted] for pw [redacted]' });
  });

  it('the recorder applies the flow secrets to every evidence it keeps', () => {
    const rec = new Recorder({ now: () => 0 });
    rec.failure({ failureClass: 'other', endpoint: 'callback', error: 'denied:Zq1x', description: 'short code Zq1x' }, undefined, ['Zq1x']);
    const [kept] = rec.finish().failureEvidence;
    expect(kept!.error).toBe('denied:[redacted]');
    expect(kept!.description).toBe('short code [redacted]');
  });

  it('strips ANSI sequences and C0/C1 controls whole', () => {
    expect(stripControl('a\u001b[2J\u001b[Hb\u009b31mc\u0007d')).toBe('a  b 31mc d');
    expect(stripControl('x\u001b]0;title\u0007y')).toBe('x y');
  });

  it('prints URLs without credentials or controls', () => {
    expect(printableUrl('http://admin:pw@127.0.0.1:8080/realms/x')).toBe('http://127.0.0.1:8080/realms/x');
    expect(printableUrl('http://127.0.0.1:1/\u001b[2Jx')).not.toMatch(/\u001b/);
  });
});
