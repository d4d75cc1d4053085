/**
 * `tokenstorm bench token-raw` from the built binary: autocannon, the harness's HTTP path and whole
 * `tokenstorm run`s with one and two load threads, all against the same fixed-response server (which
 * the runs target as a client_credentials issuer, with no redirect URI). Rates are the benchmark's
 * business; this checks that each is measured and the ratios are the ones the numbers give.
 */
import { describe, expect, it } from 'vitest';
import { ROOT, runBin } from '../../support/cli.ts';

describe('tokenstorm bench token-raw', () => {
  it('--json measures autocannon, the HTTP path and whole runs with 1 and 2 threads side by side', async () => {
    const { code, stdout, stderr } = await runBin(['bench', 'token-raw', '--connections', '8', '--seconds', '1', '--json'], { cwd: ROOT, timeoutMs: 180_000 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ connections: 8, seconds: 1, harnessErrors: 0, autocannonErrors: 0 });
    for (const k of ['autocannonReqPerSec', 'harnessReqPerSec', 'runThreads1ReqPerSec', 'runThreads2ReqPerSec']) expect(r[k], k).toBeGreaterThan(0);
    // Both are rounded from the same unrounded rate; the offer is capped at the scenario limit.
    expect(Math.abs(r.offeredRatePerSec - Math.min(100_000, r.autocannonReqPerSec * 1.3))).toBeLessThanOrEqual(2);
    expect(r.runThreads1VsAutocannon).toBeCloseTo(r.runThreads1ReqPerSec / r.autocannonReqPerSec, 2);
    expect(r.runThreads2VsAutocannon).toBeCloseTo(r.runThreads2ReqPerSec / r.autocannonReqPerSec, 2);
    // A run completes at most what it was offered.
    expect(r.runThreads1ReqPerSec).toBeLessThanOrEqual(r.offeredRatePerSec * 1.01);
  });
});
