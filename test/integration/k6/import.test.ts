// `tokenstorm import k6` on STAND-IN k6 output (see standin.ts: real k6 cannot run here). Proved:
// exact HDR per endpoint from raw points across runners (plain + gzip), failures by class from the
// tags, dropped iterations as dropped, per-second series, gates (threshold, baseline) as for a
// native run, and bad input → one line, exit 2. NOT proved: the match with real k6's own counts.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, recordUs } from '../../../src/metrics/hdr.ts';
import type { Report } from '../../../src/report/schema.ts';
import { cli, scratch } from './helpers.ts';
import { makeFlows, writeStandin } from './standin.ts';

describe('import k6 (stand-in k6 JSON output)', () => {
  let dir: string;
  const a = makeFlows(400, 8000, 1);
  const b = makeFlows(300, 8000, 2);
  const start = Date.parse('2026-01-01T10:00:00.000Z');

  beforeAll(async () => {
    dir = await scratch('k6-import');
    await writeStandin(join(dir, 'runner-0.json'), start, a, [100, 200, 300], '0');
    await writeStandin(join(dir, 'runner-1.json.gz'), start + 250, b, [5000], '1');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes ONE report with exact histograms, counts, failures, dropped and series from both runners', async () => {
    const out = join(dir, 'r1');
    const res = await cli(['import', 'k6', join(dir, 'runner-0.json'), join(dir, 'runner-1.json.gz'), '--out', out, '--scenario', 'smoke', '--quiet']);
    expect(res.stderr).toBe('');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    const all = [...a, ...b];
    const failed = all.filter((f) => f.failureClass).length;
    expect(report.flows).toMatchObject({ started: 700, completed: 700 - failed, failed, dropped: 4 });
    expect(report.failures).toEqual({ pkce_mismatch: all.filter((f) => f.failureClass === 'pkce_mismatch').length, rate_limited: all.filter((f) => f.failureClass === 'rate_limited').length });
    for (const cls of ['authorize', 'login', 'consent', 'callback', 'token'] as const) {
      const raw = all.flatMap((f) => f.exchanges.filter((e) => e.cls === cls).map((e) => e.ms));
      expect(report.endpoints[cls]!.count).toBe(raw.length);
      const union = createHistogram();
      for (const ms of raw) recordUs(union, ms * 1000);
      const h = decodeHistogram(report.endpoints[cls]!.hdr);
      for (const p of [50, 95, 99, 100]) expect(h.getValueAtPercentile(p)).toBe(union.getValueAtPercentile(p));
    }
    expect(report.endpoints.token!.errors).toBe(failed);
    expect(report.series.reduce((n, s) => n + s.started, 0)).toBe(700);
    expect(report.series.reduce((n, s) => n + s.dropped, 0)).toBe(4);
    expect(report.series[0]!.t).toBe(0);
    expect(report.segments?.map((s) => s.flows.started)).toEqual([400, 300]);
    expect(report.source).toEqual({ kind: 'k6', files: ['runner-0.json', 'runner-1.json.gz'], points: expect.any(Number), skippedLines: 0 });
    expect(report.scenario.name).toBe('smoke');
    // k6's `iterations` agree with the flows the script recorded: no consistency complaint.
    expect(report.harness.reasons.filter((r) => r.includes('iterations'))).toEqual([]);
    // smoke's own thresholds were gated on the imported data.
    expect(report.thresholds.map((t) => t.expr)).toEqual(['flow:rate(failed)<0.01', 'token:p(95)<500']);
    expect(res.code).toBe(report.thresholds.every((t) => t.ok) ? 0 : 1);
    expect((await stat(join(out, 'report.html'))).size).toBeGreaterThan(1000);
    expect((await stat(join(out, 'junit.xml'))).size).toBeGreaterThan(100);
  });

  it('thresholds and --baseline gate as for a native run', async () => {
    const base = join(dir, 'base');
    await cli(['import', 'k6', join(dir, 'runner-0.json'), '--out', base, '--quiet']);
    const tight = await cli(['import', 'k6', join(dir, 'runner-0.json'), '--out', join(dir, 'r2'), '--threshold', 'token:p(95)<1', '--quiet']);
    expect(tight.code).toBe(1);
    const same = await cli(['import', 'k6', join(dir, 'runner-0.json'), '--out', join(dir, 'r3'), '--baseline', join(base, 'report.json'), '--quiet']);
    expect(same.code).toBe(0);
    const r3 = JSON.parse(await readFile(join(dir, 'r3', 'report.json'), 'utf8')) as Report;
    const check = r3.regressions?.find((c) => c.endpoint === 'token');
    expect(check?.ok).toBe(true);
    expect(check?.skipped).toBeUndefined();
    expect(check?.current).toBe(check?.baseline);
  });

  it("says so when k6's iteration count and the script's flows disagree", async () => {
    const extra = join(dir, 'extra.json');
    const text = await readFile(join(dir, 'runner-0.json'), 'utf8');
    await writeFile(extra, `${text}{"type":"Point","data":{"time":"2026-01-01T10:00:09.000000000Z","value":1,"tags":{}},"metric":"iterations"}\n`);
    const res = await cli(['import', 'k6', extra, '--out', join(dir, 'r7'), '--quiet', '--json']);
    const r = JSON.parse(res.stdout) as Report;
    expect(r.harness.reasons).toContain('extra.json: k6 counted 401 iterations but the script recorded 400 flows');
  });

  it('any k6 script: http_req_duration points named by endpoint class are used when the tokenstorm Trends are absent', async () => {
    const plain = join(dir, 'plain.json');
    const text = (await readFile(join(dir, 'runner-0.json'), 'utf8'))
      .split('\n')
      .filter((l) => !l.includes('"metric":"tokenstorm_'))
      .join('\n');
    await writeFile(plain, text);
    const res = await cli(['import', 'k6', plain, '--out', join(dir, 'r4'), '--quiet']);
    expect(res.stderr).toBe('');
    const r = JSON.parse(await readFile(join(dir, 'r4', 'report.json'), 'utf8')) as Report;
    expect(r.endpoints.token!.count).toBe(400);
    expect(r.endpoints.token!.errors).toBe(a.filter((f) => f.failureClass).length);
    // Without the flow Trend, k6's `iterations` counter is the flow count.
    expect(r.flows.completed).toBe(400);
  });

  it('--phases (from `tokenstorm faults --out`) cuts the points into the fault phases', async () => {
    const iso = (ms: number): string => new Date(start + ms).toISOString();
    const phasesFile = join(dir, 'phases.json');
    await writeFile(
      phasesFile,
      JSON.stringify({
        phases: [
          { name: 'baseline', startedAt: iso(-1000), endedAt: iso(3000), faults: [] },
          { name: 'token-slow', startedAt: iso(3000), endedAt: iso(5000), faults: ['token-slow'] },
          { name: 'recovery', startedAt: iso(5000), endedAt: iso(60_000), faults: [] },
        ],
      }),
    );
    const res = await cli(['import', 'k6', join(dir, 'runner-0.json'), join(dir, 'runner-1.json.gz'), '--phases', phasesFile, '--out', join(dir, 'r5'), '--quiet']);
    expect(res.stderr).toBe('');
    const r = JSON.parse(await readFile(join(dir, 'r5', 'report.json'), 'utf8')) as Report;
    expect(r.phases.map((p) => p.name)).toEqual(['baseline', 'token-slow', 'recovery']);
    expect(r.phases[1]!.faults).toEqual(['token-slow']);
    expect(r.phases.reduce((n, p) => n + p.flows.started, 0)).toBe(700);
    expect(r.phases.reduce((n, p) => n + (p.endpoints.token?.count ?? 0), 0)).toBe(700);
    expect(r.phases[1]!.flows.started).toBeGreaterThan(100);
    expect(new Set(r.series.map((p) => p.phase))).toEqual(new Set(['baseline', 'token-slow', 'recovery']));
    const bad = await cli(['import', 'k6', join(dir, 'runner-0.json'), '--phases', join(dir, 'runner-0.json'), '--out', join(dir, 'r6')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('input that is not k6 JSON: one line, exit 2', async () => {
    const notK6 = join(dir, 'not-k6.json');
    await writeFile(notK6, '{"schema":"tokenstorm/report@1"}\n');
    const r1 = await cli(['import', 'k6', notK6, '--out', join(dir, 'bad')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toBe(`tokenstorm: ${notK6} is not k6 JSON output (line 1 is not a {"type":"Metric"|"Point",...} object) (write it with 'k6 run --out json=FILE')\n`);
    const longLine = join(dir, 'long.json');
    await writeFile(longLine, `{"type":"Point","metric":"x","data":{"tags":{"a":"${'x'.repeat(70_000)}"}}}\n`);
    const r2 = await cli(['import', 'k6', longLine, '--out', join(dir, 'bad')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe(`tokenstorm: ${longLine}: line 1 is longer than 65536 bytes; not k6 JSON output\n`);
    const fakeGz = join(dir, 'fake.json.gz');
    await writeFile(fakeGz, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
    const r3 = await cli(['import', 'k6', fakeGz, '--out', join(dir, 'bad')]);
    expect(r3.code).toBe(2);
    expect(r3.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r3.stderr).toMatch(/cannot be read as gzip/);
  });
});
