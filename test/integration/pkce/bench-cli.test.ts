import { describe, expect, it } from 'vitest';
import { type CliResult, ROOT, runBin } from '../../support/cli.ts';

// Runs the built CLI (npm test builds first; by hand: npm run build).

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: ROOT, timeoutMs: 30_000 });

// A 43-char base64url run would be a verifier or challenge leaking into output.
const SECRET_LIKE = /[A-Za-z0-9_-]{43}/;

describe('tokenstorm bench verifiers', () => {
  it('--json prints the documented keys with positive numbers', async () => {
    const r = await cli(['bench', 'verifiers', '--seconds', '0.3', '--workers', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['naivePairsPerSec', 'batchedPairsPerSec', 'poolPairsPerSec', 'poolVsNaive', 'consumerNsPerPair', 'poolPairsPerSecPerWorker', 'poolPairsPerSecPerWorkerWall']) {
      expect(typeof out[key], key).toBe('number');
      expect(out[key] as number, key).toBeGreaterThan(0);
    }
    expect(out.workers).toBe(1);
    expect(out.seconds).toBe(0.3);
    expect(out.node).toMatch(/^v24\./);
    expect(out.cpus as number).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(SECRET_LIKE);
  });

  it('prints a table without --json', async () => {
    const r = await cli(['bench', 'verifiers', '--seconds', '0.2', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^variant +pairs\/s +vs naive\n/);
    expect(r.stdout).toMatch(/\npool \(1 worker\) +[\d,]+ +[\d.]+×\n/);
    expect(r.stdout).not.toMatch(SECRET_LIKE);
  });

  it.each([
    [['--workers', '0'], "tokenstorm: --workers must be an integer in 1..256 (got '0') (see --help)"],
    [['--workers', '2.5'], "tokenstorm: --workers must be an integer in 1..256 (got '2.5') (see --help)"],
    [['--seconds', '-1'], "tokenstorm: --seconds must be a number > 0 and ≤ 3600 (got '-1') (see --help)"],
    [['--seconds', 'abc'], "tokenstorm: --seconds must be a number > 0 and ≤ 3600 (got 'abc') (see --help)"],
    [['--seconds', '0'], "tokenstorm: --seconds must be a number > 0 and ≤ 3600 (got '0') (see --help)"],
    [['--bogus'], "tokenstorm: unknown option '--bogus'"],
  ])('bad flags %j → exit 2 and one stderr line', async (flags, line) => {
    const r = await cli(['bench', 'verifiers', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
  });

  it('--help shows examples', async () => {
    const r = await cli(['bench', 'verifiers', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tokenstorm bench verifiers --json');
  });
});
