import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { challengeMethodsWith, PKCE_TARGETS, pkceMetrics, withSecretScan } from '../../../src/report/pkce-metrics.ts';
import { SecretSample, scanTextsForSecrets } from '../../../src/report/secret-scan.ts';

/** A recorder fed like a run: `n` flows, of which some fail in the given classes at the token endpoint. */
function recorded(n: number, tokenFailures: Array<['pkce_mismatch' | 'code_reused' | 'other', number]>, redirectFailures = 0): ReturnType<Recorder['finish']> {
  let t = 0;
  const rec = new Recorder({ now: () => t });
  const failedTokens = tokenFailures.reduce((a, [, k]) => a + k, 0);
  let tokens = 0;
  for (let i = 0; i < n; i++) {
    t += 1;
    rec.exchange('authorize', 5000, 5000, true);
    if (i < redirectFailures) {
      rec.failure({ failureClass: 'state_mismatch', endpoint: 'callback' });
      continue;
    }
    rec.exchange('callback', 5000, 5000, true);
    rec.exchange('token', (10 + (i % 50)) * 1000, (10 + (i % 50)) * 1000, tokens++ >= failedTokens);
  }
  for (const [cls, k] of tokenFailures) {
    for (let j = 0; j < k; j++) rec.failure({ failureClass: cls, endpoint: 'token', status: 400 });
  }
  return rec.finish();
}

const byId = (r: ReturnType<typeof pkceMetrics>, id: string) => r.metrics.find((m) => m.id === id)!;

describe('pkceMetrics (M1–M8)', () => {
  it('a clean run meets every target; M7 is n/a until outputs are scanned', () => {
    const r = pkceMetrics(recorded(2000, []));
    expect(r.metrics.map((m) => m.id)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8']);
    expect(byId(r, 'M1')).toMatchObject({ value: 1, ok: true, target: '>= 99.9%', detail: '2000 callbacks / 2000 authorization requests' });
    expect(byId(r, 'M2')).toMatchObject({ value: 1, ok: true });
    expect(byId(r, 'M3')).toMatchObject({ value: 0, ok: true, target: '< 0.01%' });
    expect(byId(r, 'M4').value).toBeGreaterThan(50);
    expect(byId(r, 'M4').value).toBeLessThan(65);
    expect(byId(r, 'M4').ok).toBe(true);
    expect(byId(r, 'M5')).toMatchObject({ value: 0, ok: true });
    expect(byId(r, 'M6')).toMatchObject({ value: 1, ok: true, detail: 'sent 100% S256, accepted 100% S256' });
    expect(byId(r, 'M7')).toMatchObject({ value: null, ok: null, detail: 'outputs not scanned' });
    expect(byId(r, 'M8')).toMatchObject({ value: 0, ok: true });
    expect(pkceMetrics(recorded(10, []), { secretsFound: 0 }).metrics[6]).toMatchObject({ value: 0, ok: true });
    expect(pkceMetrics(recorded(10, []), { secretsFound: 2 }).metrics[6]).toMatchObject({ value: 2, ok: false });
  });

  it('PKCE failures, code reuse and redirect errors count against their own targets', () => {
    const r = pkceMetrics(recorded(1000, [['pkce_mismatch', 3], ['code_reused', 2], ['other', 1]], 2));
    expect(byId(r, 'M1')).toMatchObject({ value: 998 / 1000, ok: false });
    expect(byId(r, 'M2')).toMatchObject({ value: 992 / 998, ok: false, detail: '992 successful / 998 token exchanges' });
    expect(byId(r, 'M3')).toMatchObject({ value: 3 / 998, ok: false, detail: '3 PKCE failures / 998 token exchanges' });
    expect(r.pkceFailures).toEqual({ pkce_mismatch: 3 });
    expect(byId(r, 'M5')).toMatchObject({ value: 2 / 998, ok: false });
    expect(byId(r, 'M8')).toMatchObject({ value: 2 / 1000, ok: false });
  });

  it('M6 from the methods actually sent and accepted; a plain share misses 100% S256', () => {
    const r = pkceMetrics(recorded(10, []), { challengeMethods: { sent: { S256: 90, plain: 10 }, accepted: { S256: 90 } } });
    expect(byId(r, 'M6')).toMatchObject({ value: 0.9, ok: false, detail: 'sent 90% S256, accepted 100% S256' });
  });

  it('plain challenges from buggy clients lower M6; a later output scan sets M7', () => {
    const result = recorded(100, []);
    const methods = challengeMethodsWith(result, { sent: 5, accepted: 0 });
    expect(methods).toEqual({ sent: { S256: 95, plain: 5 }, accepted: { S256: 100 } });
    const r = pkceMetrics(result, { challengeMethods: methods });
    expect(byId(r, 'M6')).toMatchObject({ value: 0.95, ok: false });
    expect(byId(withSecretScan(r, 1), 'M7')).toMatchObject({ value: 1, ok: false, detail: '1 secrets found in the written outputs' });
    expect(byId(withSecretScan(r, 0), 'M7')).toMatchObject({ value: 0, ok: true });
  });

  it('nothing measured → null values and ok null, not a pass', () => {
    const r = pkceMetrics({ endpoints: {}, failures: {} });
    for (const m of r.metrics) expect([m.id, m.value, m.ok]).toEqual([m.id, null, null]);
    expect(PKCE_TARGETS.tokenP95Ms).toBe(200);
  });
});

describe('scanTextsForSecrets (M7)', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  it('finds a secret verbatim and URL-encoded, says where, never what', () => {
    const scan = scanTextsForSecrets(
      [
        { source: 'report.json', text: `{"x":"${verifier}","y":"${verifier}"}` },
        { source: 'stdout', text: `code_verifier=${encodeURIComponent('a/b+c=dddddddd')}` },
        { source: 'clean', text: 'nothing here' },
      ],
      [verifier, 'a/b+c=dddddddd', 'short'],
    );
    expect(scan).toEqual({ found: 3, where: [{ source: 'report.json', count: 2 }, { source: 'stdout', count: 1 }], scanned: 3 });
    expect(JSON.stringify(scan)).not.toContain(verifier);
  });
  it('SecretSample keeps a bounded uniform sample', () => {
    let x = 0;
    const lcg = (): number => {
      x = (x * 9301 + 49297) % 233280;
      return x / 233280;
    };
    const sample = new SecretSample(10, lcg);
    for (let i = 0; i < 1000; i++) sample.add(`secret-value-${String(i).padStart(6, '0')}`);
    sample.add('short');
    expect(sample.offered).toBe(1000);
    expect(sample.values()).toHaveLength(10);
    // Not just the first ten: later values made it in.
    expect(sample.values().some((v) => Number(v.slice(-6)) >= 10)).toBe(true);
  });

  it('ignores secrets too short to tell from words', () => {
    expect(scanTextsForSecrets([{ source: 'a', text: 'alice logged in' }], ['alice']).found).toBe(0);
  });
});
