// Opens a rendered report.html in headless Chromium: the page must draw every chart with data and
// log no errors, with the network off (the file is self-contained).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../support/report-fixture.ts';
import { renderHtml } from '../../src/report/html.ts';
import { findKnee } from '../../src/report/knee.ts';
import { kneeFromSearch } from '../../src/report/search-knee.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = process.env.TOKENSTORM_SKIP_BROWSER === '1';

describe.skipIf(skip)('report.html in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: install it (apt-get install -y chromium) or set TOKENSTORM_SKIP_BROWSER=1 to skip browser tests`,
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'tokenstorm-html-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('draws every chart with data, logs no errors, fetches nothing', async () => {
    const report = buildSyntheticReport({
      name: 'capacity </script><img src=x onerror="window.__pwned=1">',
      ramp: { fromRatePerSec: 20, toRatePerSec: 120 },
      breakAtRatePerSec: 90,
      durationSec: 60,
    });
    report.knee = findKnee(report, { p95Ms: 200, errorRate: 0.05, endpoint: 'token' });
    report.regressions = [{ endpoint: 'token', stat: 'p95', baseline: 30, current: 45, tolerancePct: 10, ok: false }];
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(report));

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__tokenstorm !== undefined', null, { timeout: 10_000 });

    // A string, so this file type-checks without the DOM lib (tsconfig has lib es2023 only).
    const charts = (await page.evaluate(`(() => {
      const out = {};
      for (const id of ['latency', 'spectrum', 'throughput', 'failures']) {
        const el = document.querySelector('#chart-' + id + ' canvas');
        const u = window.__tokenstorm.charts[id];
        const box = el ? el.getBoundingClientRect() : { width: 0, height: 0 };
        out[id] = {
          canvasW: box.width,
          canvasH: box.height,
          pointsPerSeries: u ? u.data.slice(1).map((s) => s.filter((v) => v !== null && Number.isFinite(v)).length) : [],
        };
      }
      return { out, pwned: window.__pwned ?? 0, title: document.querySelector('h1')?.textContent ?? '' };
    })()`)) as {
      out: Record<string, { canvasW: number; canvasH: number; pointsPerSeries: number[] }>;
      pwned: number;
      title: string;
    };

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.pwned).toBe(0);
    expect(charts.title).toContain('</script><img src=x');
    for (const [id, c] of Object.entries(charts.out)) {
      expect(c.canvasW, `${id} canvas width`).toBeGreaterThan(100);
      expect(c.canvasH, `${id} canvas height`).toBeGreaterThan(100);
      expect(c.pointsPerSeries.length, `${id} series`).toBeGreaterThan(0);
      for (const n of c.pointsPerSeries) expect(n, `${id} points`).toBeGreaterThan(0);
    }
    // latency: p95 + p99 for each of the 5 endpoints in the fixture.
    expect(charts.out.latency!.pointsPerSeries).toHaveLength(10);
    expect(charts.out.throughput!.pointsPerSeries).toHaveLength(3);

    const shots = resolve('test-results');
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
    await context.close();
  });

  it('its CSP blocks an inline handler and a foreign script even if escaping failed (issue 15)', async () => {
    // Markup injected after rendering, as if a cell had escaped its escaping.
    const html = renderHtml(buildSyntheticReport()).replace(
      '<main>',
      '<main><img src="data:," onload="window.__pwned=1"><img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>',
    );
    const file = join(dir, 'injected.html');
    await writeFile(file, html);
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // The page's own scripts still run (allowed by hash) …
    await page.waitForFunction('window.__tokenstorm !== undefined', null, { timeout: 10_000 });
    // … the injected ones do not.
    expect(await page.evaluate('window.__pwned ?? 0')).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('draws the capacity search chart: p95 by step rate with the SLO line', async () => {
    const report = buildSyntheticReport({ durationSec: 30, fault: null });
    report.slo = { p95Ms: 200, errorRate: 0.01, endpoint: 'token' };
    const step = (index: number, ratePerSec: number, p95Ms: number, ok: boolean) => ({
      index, kind: index > 3 ? ('bisect' as const) : ('grow' as const), ratePerSec, startMs: index * 5000, endMs: index * 5000 + 4000,
      judgedFromMs: index * 5000 + 1000, judgedToMs: index * 5000 + 4000, p95Ms, errorRate: 0, samples: 100, started: 100, dropped: 0, late: 0,
      verdict: ok ? ('ok' as const) : ('breach' as const), sloOk: ok, breach: ok ? null : `token p95 ${p95Ms} ms > 200 ms`, harness: null,
    });
    report.knee = kneeFromSearch(
      { startRatePerSec: 50, growth: 2, stepDurationMs: 5000, settleMs: 1000, minSamples: 50, resolutionPct: 20, maxRatePerSec: 1000 },
      {
        steps: [step(1, 50, 20, true), step(2, 100, 40, true), step(3, 200, 900, false), step(4, 141.4, 120, true), step(5, 168.2, 320, false)],
        conclusion: { outcome: 'found', kneeRatePerSec: 141.4, brokeAtRatePerSec: 168.2, resolutionPct: 19, answer: '141.4/s ±19%', reason: 'held at 141.4/s' },
      },
    );
    const file = join(dir, 'search.html');
    await writeFile(file, renderHtml(report));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction('window.__tokenstorm !== undefined', null, { timeout: 10_000 });
    const knee = (await page.evaluate(`(() => {
      const el = document.querySelector('#chart-knee canvas');
      const u = window.__tokenstorm.charts.knee;
      const box = el ? el.getBoundingClientRect() : { width: 0, height: 0 };
      return { w: box.width, h: box.height, x: u ? u.data[0] : [], series: u ? u.data.slice(1) : [] };
    })()`)) as { w: number; h: number; x: number[]; series: number[][] };
    expect(problems).toEqual([]);
    expect(knee.w).toBeGreaterThan(100);
    expect(knee.h).toBeGreaterThan(100);
    expect(knee.x).toEqual([50, 100, 141.4, 168.2, 200]);
    expect(knee.series).toEqual([
      [20, 40, 120, 320, 900],
      [200, 200, 200, 200, 200],
    ]);
    await context.close();
  });
});
