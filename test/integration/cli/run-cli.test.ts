/**
 * `tokenstorm run` from the outside: the built binary (npm test builds dist/ first), real
 * processes, exit codes and the exact one-line errors.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runBin } from '../../support/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], opts: { onSpawn?: (c: ChildProcess) => void; timeoutMs?: number } = {}): Promise<CliResult> => runBin(args, { cwd: dir, ...opts });

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
  return lines[0]!;
}

describe('tokenstorm run (CLI)', () => {
  it('--dry-run prints the plan in words', async () => {
    const r = await cli(['run', 'capacity', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/capacity/);
    // The bundled capacity scenario searches for the knee (issue 14).
    expect(r.stdout).toMatch(/capacity search.*\n.*\n\s+from 50 flows\/s, ×1\.5 per step/);
  });

  it('bad scenario → one line naming the field, exit 2', async () => {
    const f = join(dir, 'bad.json');
    await writeFile(f, JSON.stringify({ load: { ratePercSec: 10, duration: '5s' } }));
    const r = await cli(['run', f]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/load\.ratePercSec is not a known key \(did you mean load\.ratePerSec\?\)/);
  });

  it('missing scenario file → exit 2', async () => {
    const r = await cli(['run', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/nope\.yaml/);
  });

  it.each([
    [['run', '--workers', '-1'], /--workers must be an integer in 0\.\.256 \(got '-1'\)/],
    [['run', '--threshold', 'token:p95<200'], /token:p95<200/],
    [['run', '--tolerance', 'lots'], /tolerance/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['run', '--issuer', 'http://10.1.2.3:8080'], /--issuer must be on 127\.0\.0\.1, localhost or \[::1\] \(got host "10\.1\.2\.3"\)/],
    [['run', '--dry-run', '--issuer', 'http://10.1.2.3:8080'], /--issuer must be on 127\.0\.0\.1/],
    [['run', '--direct', '--toxiproxy', 'http://127.0.0.1:8474'], /--direct turns the fault proxies off; it cannot be combined with --toxiproxy/],
    [['run', '--baseline', '/nonexistent/base.json'], /\/nonexistent\/base\.json/],
    [['run', '--out', '/dev/null/x'], /--out \/dev\/null\/x is not a writable folder/],
  ])('bad flag %j → one line, exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  it('unreachable issuer → clear message, exit 3', async () => {
    const tmp = createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as { port: number }).port;
    await new Promise((r) => tmp.close(r));
    const f = join(dir, 'remote.json');
    await writeFile(f, JSON.stringify({ load: { ratePerSec: 5, duration: '1s' }, target: { clientId: 'c', redirectUri: 'http://127.0.0.1/cb' } }));
    const r = await cli(['run', f, '--issuer', `http://127.0.0.1:${port}`, '--direct']);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`cannot reach issuer http://127.0.0.1:${port}: ECONNREFUSED`));
  });

  it('unreachable Toxiproxy → exit 3', async () => {
    const r = await cli(['run', '--toxiproxy', 'http://127.0.0.1:1']);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/cannot reach Toxiproxy at http:\/\/127\.0\.0\.1:1/);
  });

  it('--json prints report.json on stdout; outputs hold nothing token-like', async () => {
    const f = join(dir, 'short.json');
    await writeFile(f, JSON.stringify({ name: 'short', load: { ratePerSec: 10, duration: '2s' } }));
    const r = await cli(['run', f, '--json', '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe('tokenstorm/report@1');
    expect(report.flows.completed).toBe(20);
    const runDir = join(dir, 'out', report.runId);
    const files = await Promise.all((await readdir(runDir)).map((n) => readFile(join(runDir, n), 'utf8')));
    // The exact secrets are checked in-process (run-embedded.test.ts); here: no JWT and no
    // code/verifier parameter anywhere in what the process printed or wrote.
    for (const text of [r.stdout, r.stderr, ...files]) {
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
      expect(text).not.toMatch(/code_verifier=|[?&]code=[A-Za-z0-9_-]{10,}/);
    }
  });

  it('Ctrl-C mid-run writes the partial report and exits 130', async () => {
    const f = join(dir, 'long.json');
    await writeFile(f, JSON.stringify({ name: 'long', load: { ratePerSec: 10, duration: '60s' } }));
    const out = join(dir, 'sigint');
    const r = await cli(['run', f, '--out', out], {
      onSpawn: (c) => {
        // Interrupt once flows are running (the summary line says so via progress on stderr).
        const started = Date.now();
        const poll = setInterval(() => {
          if (Date.now() - started > 5000) {
            clearInterval(poll);
            c.kill('SIGINT');
          }
        }, 100);
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted; writing the partial report/);
    const [runId] = await readdir(out);
    const report = JSON.parse(await readFile(join(out, runId!, 'report.json'), 'utf8'));
    expect(report.partial).toBe(true);
    expect(report.flows.completed).toBeGreaterThan(5);
    expect(report.durationMs).toBeLessThan(20_000);
    expect(await readdir(join(out, runId!))).toEqual(expect.arrayContaining(['report.html', 'junit.xml']));
  });
});
