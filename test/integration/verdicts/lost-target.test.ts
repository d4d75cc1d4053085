/**
 * A target that dies mid-run stops the run: the partial report is written and the CLI exits 3.
 * Both ways a target can be lost are covered from the outside (the built binary): the embedded
 * IdP's child process is killed (noticed at once), and a remote issuer stops accepting connections
 * (noticed after several seconds of refused connections with no fault of the run's own to explain it).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-lost-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Child pids of `pid` (from /proc, no ps needed). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesised command, which may contain spaces) is the parent pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(e));
  }
  return out;
}

const run = (args: string[], during: (pid: number) => Promise<void>): Promise<CliResult> =>
  runBin(args, { cwd: dir, timeoutMs: 90_000, onSpawn: (child) => void during(child.pid!) });

async function onlyReport(out: string): Promise<Record<string, unknown>> {
  const runs = await readdir(out);
  expect(runs).toHaveLength(1);
  return JSON.parse(await readFile(join(out, runs[0]!, 'report.json'), 'utf8')) as Record<string, unknown>;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}

describe('a target lost mid-run', () => {
  it('embedded IdP killed → partial report, exit 3', async () => {
    const scenario = join(dir, 'long.json');
    await writeFile(scenario, JSON.stringify({ name: 'long', load: { ratePerSec: 10, duration: '60s' } }));
    const out = join(dir, 'embedded');
    const r = await run(['run', scenario, '--out', out, '--direct'], async (pid) => {
      let idpPid = 0;
      await waitFor(async () => {
        idpPid = (await childrenOf(pid))[0] ?? 0;
        return idpPid > 0;
      }, 30_000);
      // Let some flows complete first, so the run is past its start.
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(idpPid, 'SIGKILL');
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/embedded IdP exited mid-run/);
    const report = await onlyReport(out);
    expect(report.partial).toBe(true);
    expect((report.flows as { completed: number }).completed).toBeGreaterThan(0);
    expect(report.durationMs as number).toBeLessThan(50_000);
  });

  it('remote issuer stops answering → partial report, exit 3', async () => {
    const idp = await startEmbeddedIdp();
    const scenario = join(dir, 'remote.json');
    await writeFile(scenario, JSON.stringify({ name: 'remote', load: { ratePerSec: 10, duration: '60s' }, target: { clientId: idp.clientId, redirectUri: idp.redirectUri } }));
    const out = join(dir, 'remote');
    try {
      const r = await run(['run', scenario, '--out', out, '--direct', '--issuer', idp.issuer], async () => {
        await new Promise((r) => setTimeout(r, 4000));
        await idp.stop();
      });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/refused or did not answer every connection/);
      const report = await onlyReport(out);
      expect(report.partial).toBe(true);
      expect((report.failures as Record<string, number>).connection_refused).toBeGreaterThan(0);
      expect(report.durationMs as number).toBeLessThan(50_000);
    } finally {
      await idp.stop();
    }
  });
});
