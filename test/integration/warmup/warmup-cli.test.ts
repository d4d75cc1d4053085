/**
 * From the outside (the built binary, the embedded IdP): a scenario with `load.warmup` reports the
 * warmup as its own phase, leaves it out of the totals, and every HTTP endpoint carries the timing
 * split; the console summary shows the k6-like lines and the self-check's verdict.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/schema.ts';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-warmup-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[]): Promise<CliResult> => runBin(args, { cwd: dir, timeoutMs: 90_000 });

describe('run with load.warmup', () => {
  it('reports phase warmup apart from the totals, with the timing split and wire bytes', async () => {
    const file = join(dir, 'warm.yaml');
    await writeFile(file, "# warmup: 1 s excluded from totals; no priming, so the window itself opens the connections the wire counts\nname: warm\nload: { ratePerSec: 10, duration: '2s', warmup: '1s', primeFlows: 0 }\nthresholds: ['flow:rate(failed)<0.5']\n");
    const r = await cli(['run', file, '--direct', '--json', '--out', join(dir, 'reports')]);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.load.warmupMs).toBe(1000);
    expect(report.phases[0]!.name).toBe('warmup');
    expect(report.phases[0]!.flows.started).toBeGreaterThan(0);
    const counted = report.phases.filter((p) => p.name !== 'warmup').reduce((n, p) => n + p.flows.started, 0);
    expect(report.flows.started).toBe(counted);
    expect(report.series.some((s) => s.phase === 'warmup')).toBe(true);
    for (const cls of ['authorize', 'token'] as const) {
      const e = report.endpoints[cls]!;
      expect(e.queuedMs).toBeDefined();
      expect(e.waitMs!.p50).toBeGreaterThan(0);
      expect(e.queuedHdr).toMatch(/^[A-Za-z0-9+/=]+$/);
    }
    expect(report.harness.wire!.connections).toBeGreaterThan(0);
    expect(report.harness.wire!.sentBytes).toBeGreaterThan(0);
    expect(report.harness.wire!.receivedBytes).toBeGreaterThan(report.harness.wire!.sentBytes / 10);
    expect(['harness', 'pool', 'target', 'none']).toContain(report.harness.verdict);
    expect(r.stderr).toMatch(/^http {7}\d+ requests {2}[\d.]+\/s {2}sent [\d.]+ [kM]?B {2}received /m);
    expect(r.stderr).toMatch(/^schedule {3}late starts \d+ {2}drop rate [\d.]+% {2}peak in flight \d+$/m);
    expect(r.stderr).toMatch(/^harness {4}(WARNING: )?(the target was|the harness|no bottleneck)/m);
  });
});
