// The built binary: `tokenstorm compare` exit codes 0/1/2 with one-line errors, and
// `tokenstorm report` re-rendering HTML/JUnit from a saved report.json. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { parseXml } from '../../unit/report/xml-check.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const BIN = join(ROOT, 'bin/tokenstorm.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(NODE, [BIN, ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('tokenstorm compare / report (built CLI)', () => {
  let dir: string;
  const f = (name: string): string => join(dir, name);

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    dir = await mkdtemp(join(tmpdir(), 'tokenstorm-cli-'));
    const opts = { durationSec: 20, ratePerSec: 30, fault: null, seed: 9 } as const;
    await writeFile(f('base.json'), JSON.stringify(buildSyntheticReport(opts)));
    await writeFile(f('same.json'), JSON.stringify(buildSyntheticReport(opts)));
    await writeFile(f('plus5.json'), JSON.stringify(buildSyntheticReport({ ...opts, latencyMultiplier: 1.05 })));
    await writeFile(f('slow.json'), JSON.stringify(buildSyntheticReport({ ...opts, latencyMultiplier: 1.5 })));
    await writeFile(f('tiny.json'), JSON.stringify(buildSyntheticReport({ ...opts, durationSec: 1, ratePerSec: 5 })));
    await writeFile(f('notjson.json'), 'not json at all');
    await writeFile(f('k6.json'), JSON.stringify({ schema: 'k6/summary', metrics: {} }));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 for an identical and a +5% report within 10%', async () => {
    const [same, plus5] = await Promise.all([cli('compare', f('base.json'), f('same.json')), cli('compare', f('base.json'), f('plus5.json'), '--tolerance', '10')]);
    expect(same).toMatchObject({ code: 0, stderr: '' });
    expect(same.stdout).toMatch(/^endpoint\s+stat\s+baseline/);
    expect(same.stdout).toMatch(/^token\s+p95\s+[\d.]+ ms\s+[\d.]+ ms\s+\+0\.0%\s+\+10%\s+ok$/m);
    expect(same.stdout.trimEnd().split('\n').at(-1)).toBe('ok: 5 checks within tolerance');
    expect(plus5).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 1 on a regression and writes JUnit', async () => {
    const [slow, tight] = await Promise.all([
      cli('compare', f('base.json'), f('slow.json'), '--stat', 'p95,p99', '--endpoint', 'token', '--junit', f('cmp.xml')),
      cli('compare', f('base.json'), f('plus5.json'), '--tolerance', '2%', '--endpoint', 'token'),
    ]);
    expect(slow.code).toBe(1);
    expect(slow.stderr).toBe('');
    expect(slow.stdout.trimEnd().split('\n').at(-1)).toBe('REGRESSION: 2 of 2 checks over tolerance');
    const root = parseXml(await readFile(f('cmp.xml'), 'utf8'));
    expect(root.children[0]!.attrs).toMatchObject({ name: 'tokenstorm regressions', tests: '2', failures: '2' });
    expect(tight.code).toBe(1);
  });

  it('exits 2 with one line naming the file on bad input', async () => {
    const results = await Promise.all([
      cli('compare', f('missing.json'), f('same.json')),
      cli('compare', f('base.json'), f('notjson.json')),
      cli('compare', f('k6.json'), f('same.json')),
      cli('compare', f('base.json'), f('same.json'), '--tolerance', 'abc'),
      cli('compare', f('base.json'), f('same.json'), '--stat', 'p42'),
      cli('compare', f('base.json'), f('same.json'), '--endpoint', 'tokne'),
      cli('compare', f('base.json'), f('tiny.json'), '--endpoint', 'token'),
      cli('compare', f('base.json')),
    ]);
    const [missing, notJson, k6, tolerance, stat, endpoint, tiny, usage] = results;
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
    expect(missing!.stderr).toBe(`tokenstorm: cannot read report ${f('missing.json')}: no such file\n`);
    expect(notJson!.stderr).toMatch(new RegExp(`^tokenstorm: ${f('notjson.json')} is not JSON: `));
    expect(k6!.stderr).toBe(
      `tokenstorm: ${f('k6.json')} is not a tokenstorm report: schema is "k6/summary", expected "tokenstorm/report@1"\n`,
    );
    expect(tolerance!.stderr).toBe("tokenstorm: --tolerance must be a percentage like 10% (got 'abc') (see --help)\n");
    expect(stat!.stderr).toBe("tokenstorm: unknown stat 'p42' (use one of p50, p90, p95, p99, p999, max, mean)\n");
    expect(endpoint!.stderr).toBe(
      "tokenstorm: unknown endpoint 'tokne' (use one of par, authorize, login, consent, callback, token, refresh, flow)\n",
    );
    expect(tiny!.stderr).toBe(
      `tokenstorm: nothing to compare between ${f('base.json')} and ${f('tiny.json')}: too few samples (baseline 600, current 5; need 20)\n`,
    );
    expect(usage!.stderr).toBe("tokenstorm: missing required argument 'current'\n");
  });

  it('report re-renders HTML and JUnit next to the JSON or into --out', async () => {
    const [here, out, missing] = await Promise.all([
      cli('report', f('slow.json')),
      cli('report', f('base.json'), '--out', f('out')),
      cli('report', f('nope.json')),
    ]);
    expect(here).toEqual({ code: 0, stdout: `${f('report.html')}\n${f('junit.xml')}\n`, stderr: '' });
    expect(await readFile(f('report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(parseXml(await readFile(f('junit.xml'), 'utf8')).name).toBe('testsuites');
    expect(out).toEqual({ code: 0, stdout: `${f('out/report.html')}\n${f('out/junit.xml')}\n`, stderr: '' });
    expect(existsSync(f('out/report.html'))).toBe(true);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `tokenstorm: cannot read report ${f('nope.json')}: no such file\n` });
  });
});
