/**
 * `tokenstorm bench proxy` from the built binary: the JSON it documents, with every path measured
 * and no request lost; bad flags exit 2 in one line. Timing numbers are the benchmark's business:
 * this test checks only that they are there and consistent.
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runBin } from '../../support/cli.ts';

const cli = (args: string[], timeoutMs = 30_000): Promise<CliResult> => runBin(args, { cwd: ROOT, timeoutMs });

describe('tokenstorm bench proxy', () => {
  it('--json compares direct, embedded and (when installed) real Toxiproxy', async () => {
    const r = await cli(['bench', 'proxy', '--seconds', '1', '--rounds', '1', '--rate', '200', '--json'], 240_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const paths = out.realSkipped === null ? ['direct', 'embedded', 'real'] : ['direct', 'embedded'];
    for (const connections of ['64', '256']) {
      expect(Object.keys(out.closed[connections]).sort()).toEqual([...paths].sort());
      for (const path of paths) {
        const run = out.closed[connections][path];
        expect(run.errors, `${connections} ${path}`).toBe(0);
        expect(run.reqPerSec).toBeGreaterThan(0);
        expect(run.p99Ms).toBeGreaterThanOrEqual(run.p50Ms);
      }
    }
    for (const path of paths) expect(out.open[path]).toMatchObject({ offeredPerSec: 200, completed: 200, errors: 0 });
    expect(Object.keys(out.addedP99Ms).sort()).toEqual(['256', '64', 'open200']);
    expect(typeof out.sequentialAddedMeanMs.embedded).toBe('number');
    expect(typeof out.goals.embeddedOpenAddedP99Under2Ms).toBe('boolean');
    expect(out.goals.embeddedRpsAtLeastReal256 === null).toBe(out.realSkipped !== null);
  });

  it('rejects bad flags with one line and exit 2', async () => {
    const rounds = await cli(['bench', 'proxy', '--rounds', '0']);
    expect(rounds.code).toBe(2);
    expect(rounds.stderr).toMatch(/^tokenstorm: --rounds must be an integer in 1\.\.20 .*\n$/);
    const remote = await cli(['bench', 'proxy', '--toxiproxy', 'http://10.1.2.3:8474']);
    expect(remote.code).toBe(2);
    expect(remote.stderr.split('\n').length).toBe(2);
    expect(remote.stderr).toContain('--toxiproxy');
  });
});
