import { describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { findKnee } from '../../../src/report/knee.ts';
import type { Report } from '../../../src/report/schema.ts';

/** A report as a hostile file may shape it: any value anywhere. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to put wrong types where the schema has numbers
type Loose = Record<string, any>;

const EVIL = '</script><img src=x onerror=alert(1)>';

function evilReport(): Report {
  const r = buildSyntheticReport({ name: EVIL, description: `desc ${EVIL}`, durationSec: 40, ratePerSec: 30 });
  r.failureEvidence.push({ failureClass: 'other', endpoint: 'token', status: 400, error: '<b>bad</b>', description: `"'&${EVIL}` });
  r.thresholds = [{ expr: `token:p(95)<200 ${EVIL}`, ok: false, actual: 321.5 }];
  r.target.issuer = 'http://127.0.0.1:4000/<script>';
  return r;
}

/** The content of every <script>…</script> element, in order. */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
}

describe('renderHtml', () => {
  const html = renderHtml(evilReport());

  it('is one self-contained file: no external src/href, no link tags', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc=/i);
    expect(html).toContain("default-src 'none'");
    // uPlot (JS and CSS) is inlined.
    expect(html).toContain('.uplot');
    expect(html).toMatch(/var uPlot\s*=/);
  });

  it('escapes report text everywhere', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bad</b>');
    expect(html).toContain('tokenstorm report: &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;');
    expect(html).toContain('&quot;&#39;&amp;&lt;/script&gt;');
    // Exactly the three script elements we emit: the JSON, uPlot, the page script.
    expect(scripts(html)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('embeds the chart data as parseable JSON without "<"', () => {
    const json = scripts(html)[0]!;
    expect(json).not.toContain('<');
    const data = JSON.parse(json) as { charts: Array<{ id: string; x: number[]; series: Array<{ values: unknown[] }>; shades: unknown[] }> };
    expect(data.charts.map((c) => c.id)).toEqual(['latency', 'spectrum', 'throughput', 'failures']);
    const latency = data.charts[0]!;
    expect(latency.x).toHaveLength(40);
    expect(latency.shades).toEqual([{ from: 20, to: 30, label: 'token-latency: token: latency 150ms' }]);
    const spectrum = data.charts[1]!;
    // 1200 samples → 4 decades of 1/(1-p), 20 points each.
    expect(spectrum.x).toHaveLength(81);
    expect(spectrum.x[0]).toBe(1);
    expect(spectrum.x.at(-1)).toBeCloseTo(10_000, 6);
    expect(spectrum.series.every((s) => s.values.every((v) => typeof v === 'number' && v > 0))).toBe(true);
  });

  it('shows the optional sections only when the report has them', () => {
    const plain = buildSyntheticReport({ durationSec: 10, fault: null });
    const plainHtml = renderHtml(plain);
    for (const title of ['Regression checks', 'Capacity knee', 'Game-day faults']) expect(plainHtml).not.toContain(title);
    expect(plainHtml).toContain('<h2>Thresholds</h2>');
    expect(plainHtml).toContain('<h2>Harness self-check</h2>');

    const full = buildSyntheticReport({ ramp: { fromRatePerSec: 50, toRatePerSec: 250 }, breakAtRatePerSec: 150 });
    full.knee = findKnee(full, { p95Ms: 200, endpoint: 'token' });
    full.regressions = [{ endpoint: 'token', stat: 'p95', baseline: 30, current: 45, tolerancePct: 10, ok: false }];
    full.partial = true;
    const fullHtml = renderHtml(full);
    expect(fullHtml).toContain('<h2>Regression checks (ms)</h2>');
    expect(fullHtml).toContain('<h2>Capacity knee</h2>');
    expect(fullHtml).toContain('<h2>Game-day faults</h2>');
    expect(fullHtml).toMatch(/<div class="card fail"><div class="label">Verdict<\/div><div class="value">FAIL \(partial\)<\/div>/);
    expect(fullHtml).toContain('<span class="badge bad">REGRESSION</span>');
  });

  it('says PASS when every gate held', () => {
    const ok = buildSyntheticReport({ durationSec: 10, fault: null });
    expect(renderHtml(ok)).toMatch(/<div class="card pass"><div class="label">Verdict<\/div><div class="value">PASS<\/div>/);
  });

  it('shows a note instead of an empty failures chart', () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    r.failures = {};
    const data = JSON.parse(scripts(renderHtml(r))[0]!) as { charts: Array<{ id: string; empty?: string }> };
    expect(data.charts.find((c) => c.id === 'failures')!.empty).toBe('No failures recorded.');
  });

  it('renders a report with no samples at all (a run stopped at once)', () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    const empty: Report = { ...r, partial: true, series: [], endpoints: {}, failures: {}, phases: [], thresholds: [] };
    const out = renderHtml(empty);
    const data = JSON.parse(scripts(out)[0]!) as { charts: Array<{ id: string; empty?: string }> };
    expect(data.charts.map((c) => [c.id, c.empty])).toEqual([
      ['latency', 'No samples recorded.'],
      ['spectrum', 'No samples recorded.'],
      ['throughput', 'No samples recorded.'],
      ['failures', 'No failures recorded.'],
    ]);
    expect(out).toContain('<div class="value">PASS (partial)</div>');
  });

  it('renders a script put in numeric fields as text (issue 15: hostile report.json read back)', () => {
    const r = buildSyntheticReport() as unknown as Loose;
    const payload = '<img src=x onerror=alert(1)>';
    r.endpoints.token.errors = payload;
    r.phases[0].flows.started = payload;
    r.harness.verifierPool.workers = payload;
    r.flows.late = payload;
    r.regressions = [{ endpoint: 'token', stat: 'p95', baseline: 1, current: 1, tolerancePct: payload, ok: true }];
    const out = renderHtml(r as unknown as Report);
    expect(out).not.toContain(payload);
    expect(out).not.toMatch(/<img\b/);
  });

  it('allows only its own scripts, by hash: no unsafe-inline script, so no inline handler runs', async () => {
    const { createHash } = await import('node:crypto');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(scriptSrc).not.toContain('unsafe-hashes');
    const executable = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(executable).toHaveLength(2);
    for (const js of executable) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(js, 'utf8').digest('base64')}'`);
  });
});

describe('renderHtml harness verdict', () => {
  it("shows the self-check's sentence (escaped), the wire bytes and the peak RSS", () => {
    const r = buildSyntheticReport({ durationSec: 10, fault: null });
    r.harness = { ...r.harness, bottleneck: false, verdict: 'target', summary: 'the target was the bottleneck: p99 grew 3× <b>', wire: { sentBytes: 1234, receivedBytes: 5678, connections: 9 }, peakRssMb: 151 };
    const html = renderHtml(r);
    expect(html).toContain('the target was the bottleneck: p99 grew 3× &lt;b&gt;');
    expect(html).not.toContain('grew 3× <b>');
    expect(html).toContain('1234 / 5678, 9');
    expect(html).toContain('151 MB');
    r.harness = { ...r.harness, bottleneck: true, verdict: 'pool', summary: "the harness's connection pool was the bottleneck: x" };
    expect(renderHtml(r)).toContain('<strong>Harness side</strong>: the harness&#39;s connection pool was the bottleneck: x.');
  });
});
