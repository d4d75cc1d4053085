/**
 * `run --threads N` from the built binary against the embedded IdP: N load threads, each an
 * execution segment, merged into one report with every arrival counted once; usage errors in one
 * line, exit 2.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/schema.ts';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-threads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: dir, timeoutMs: 120_000 });

describe('run --threads', () => {
  it('runs each segment in its own thread and merges one report with every arrival once', async () => {
    const file = join(dir, 'two.json');
    await writeFile(file, JSON.stringify({ name: 'two', load: { ratePerSec: 10, duration: '2s' }, thresholds: ['flow:rate(failed)<0.5'] }));
    const r = await cli(['run', file, '--threads', '2', '--json', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.segments?.map((s) => s.segment)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    // 10/s for 2 s: 20 arrivals split k mod 2, none lost or doubled.
    expect(report.flows.started + report.flows.dropped).toBe(20);
    expect(report.endpoints.token!.queuedHdr).toBeDefined();
    expect(report.thresholds.map((t) => t.expr)).toContain('flow:rate(failed)<0.5');
    expect(r.stderr).toContain('2 load threads');
    // Live progress while the threads run (stderr is not a TTY here: plain lines), merged from both.
    expect(r.stderr).toMatch(/^tokenstorm: \d+s\/2s phase=\S+ rate=[\d.]+\/s inflight=\d+ p95=\S+ errors=\d+$/m);
  });

  it('refuses --threads with --segment, a closed model or faults, in one line (exit 2)', async () => {
    const closed = join(dir, 'closed.json');
    await writeFile(closed, JSON.stringify({ name: 'closed', load: { model: 'closed', vus: 2, duration: '1s' } }));
    const faulty = join(dir, 'faulty.json');
    await writeFile(faulty, JSON.stringify({ name: 'faulty', load: { ratePerSec: 5, duration: '2s' }, faults: [{ at: '1s', for: '1s', down: true }] }));
    const cases: Array<[string[], string]> = [
      [['run', closed, '--threads', '2', '--segment', '0/2'], '--threads splits the schedule itself; it cannot be combined with --segment'],
      [['run', closed, '--threads', '2'], '--threads splits an arrival schedule; scenario closed uses the closed model (fixed VUs)'],
      [['run', faulty, '--threads', '2'], '--threads runs the load only; scenario faulty has faults'],
      [['run', faulty, '--threads', 'x'], '--threads'],
    ];
    for (const [args, text] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toContain(text);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });
});
