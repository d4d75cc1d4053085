import { describe, expect, it } from 'vitest';
import { formatSummary, verdictOf } from '../../../src/report/console.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderJunit } from '../../../src/report/junit.ts';
import { pkceMetrics } from '../../../src/report/pkce-metrics.ts';
import type { Report } from '../../../src/report/schema.ts';
import { formatProbeTable } from '../../../src/report/security-console.ts';
import { parseXml } from './xml-check.ts';

const EVIL = '</script><img src=x onerror=alert(1)>';

function withProbes(failOn: Report['findingsFailOn']): Report {
  const r = buildSyntheticReport({ durationSec: 5, ratePerSec: 10, fault: null });
  r.findingsFailOn = failOn;
  r.probes = [
    { probe: 'P1', title: 'wrong code_verifier', severity: 'critical', status: 'finding', reason: `accepted ${EVIL}`, durationMs: 12, evidence: [{ step: 'token request', status: 200, description: 'tokens issued' }] },
    { probe: 'P2', title: 'missing code_verifier', severity: 'critical', status: 'pass', durationMs: 8, evidence: [] },
    { probe: 'P11', title: 'code after lifetime', severity: 'medium', status: 'skipped', reason: 'over the 15 s bound', durationMs: 0, evidence: [] },
    { probe: 'P14', title: 'challenge reuse', severity: 'info', status: 'finding', reason: 'allowed', durationMs: 9, evidence: [] },
  ];
  r.findings = [
    { probe: 'P1', title: 'wrong code_verifier', severity: 'critical', expected: '400 invalid_grant', observed: `accepted ${EVIL}`, evidence: r.probes[0]!.evidence },
    { probe: 'P14', title: 'challenge reuse', severity: 'info', expected: 'allowed', observed: 'allowed', evidence: [] },
  ];
  r.pkce = pkceMetrics(r, { secretsFound: 0 });
  return r;
}

describe('security findings in the reports', () => {
  it('JUnit: one test case per probe; findings at/above fail-on fail, below pass with system-out, skipped skip', () => {
    const root = parseXml(renderJunit(withProbes('high')));
    const suite = root.children.find((c) => c.attrs.name === 'tokenstorm probes')!;
    expect(suite.attrs).toMatchObject({ tests: '4', failures: '1', skipped: '1', errors: '0' });
    expect(suite.children.map((c) => [c.attrs.name, c.children.map((x) => x.name)])).toEqual([
      ['P1 wrong code_verifier', ['failure']],
      ['P2 missing code_verifier', []],
      ['P11 code after lifetime', ['skipped']],
      ['P14 challenge reuse', ['system-out']],
    ]);
    expect(suite.children[0]!.children[0]!.attrs.type).toBe('critical');
    const strict = parseXml(renderJunit(withProbes('info'))).children.find((c) => c.attrs.name === 'tokenstorm probes')!;
    expect(strict.attrs.failures).toBe('2');
  });

  it('HTML: findings with severity colours, escaped; PKCE metrics table', () => {
    const html = renderHtml(withProbes('high'));
    expect(html).toContain('<section id="findings"><h2>Security findings</h2>');
    expect(html).toContain('<span class="badge sev-critical">critical</span>');
    expect(html).toContain('<span class="badge sev-info">info</span>');
    expect(html).toContain('.badge.sev-critical {');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('<section id="pkce"><h2>PKCE metrics</h2>');
    expect(html).toMatch(/<td>M7<\/td><td class="text">verifier exposure \(secrets in outputs\)<\/td><td>0<\/td><td>0<\/td><td><span class="badge ok">ok<\/span>/);
  });

  it('console: PKCE lines, finding lines, verdict FAIL only for findings at/above fail-on', () => {
    const text = formatSummary(withProbes('high'));
    expect(text).toMatch(/^pkce {7}M1 authorization request success rate: 100% \(target >= 99\.9%\) ok$/m);
    expect(text).toMatch(/^ {11}M7 verifier exposure \(secrets in outputs\): 0 \(target 0\) ok$/m);
    expect(text).toMatch(/^finding {4}CRITICAL P1 wrong code_verifier: accepted /m);
    expect(text).toMatch(/^result {5}FAIL: 1 security finding\(s\)$/m);
    const onlyInfo = withProbes('high');
    onlyInfo.findings = onlyInfo.findings!.filter((f) => f.severity === 'info');
    expect(verdictOf(onlyInfo).verdict).toBe('PASS');
    expect(formatProbeTable(withProbes('high').probes!).split('\n')[1]).toMatch(/^P1 +critical +FINDING +wrong code_verifier: accepted/);
  });
});
