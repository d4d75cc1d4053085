/**
 * Hostile or broken input, from the outside (issue 15): every case exits 2 with one line, within a
 * few seconds, without a stack trace, leaving nothing behind.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';

const root = resolve(import.meta.dirname, '../../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/tokenstorm.js');
// Generous bound for "within a few seconds" (the .ts deadline is 5 s) on a busy machine.
const BOUND_MS = 60_000;
let dir: string;
let tmp: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-badinput-'));
  // The CLI's own temp folder, so a test can see that nothing is left behind.
  tmp = join(dir, 'tmp');
  await mkdir(tmp);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; elapsedMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(node, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), BOUND_MS + 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolvePromise({ code, stdout, stderr, elapsedMs: performance.now() - t0 });
    });
  });
}

async function expectExit2(args: string[], message: RegExp): Promise<string> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.elapsedMs).toBeLessThan(BOUND_MS);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  expect(lines[0]).toMatch(message);
  return lines[0]!;
}

describe('bad input → exit 2, one line, in bounded time', () => {
  it('a .ts scenario whose default export never settles', async () => {
    await writeFile(join(dir, 'never.ts'), 'export default () => new Promise(() => {});\n');
    await expectExit2(['run', 'never.ts', '--dry-run'], /never\.ts: the default export never settled/);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('a .ts scenario that loops forever is stopped at its deadline and its temp folder removed', async () => {
    await writeFile(join(dir, 'loop.ts'), 'while (true) {}\nexport default {};\n');
    await expectExit2(['run', 'loop.ts', '--dry-run'], /loop\.ts: the module did not produce its default export within 5 s/);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('a YAML alias bomb', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    let prev = 'a';
    for (const n of 'bcdefghi') {
      lines.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
      prev = n;
    }
    lines.push('load: {ratePerSec: 1, duration: 1s}');
    await writeFile(join(dir, 'bomb.yaml'), `${lines.join('\n')}\n`);
    await expectExit2(['run', 'bomb.yaml', '--dry-run'], /bomb\.yaml: invalid YAML: Excessive alias count/);
  });

  it('a rate of 1e308 names the limit', async () => {
    await writeFile(join(dir, 'rate.json'), JSON.stringify({ load: { ratePerSec: 1e308, duration: '1s' } }));
    await expectExit2(['run', 'rate.json', '--dry-run'], /load\.ratePerSec must be > 0 and at most 100000 \(got 1e\+308\)/);
  });

  it('--out /proc/x (run and report) fails fast', async () => {
    await writeFile(join(dir, 'ok.json'), JSON.stringify({ load: { ratePerSec: 1, duration: '1s' } }));
    await expectExit2(['run', 'ok.json', '--out', '/proc/x', '--direct'], /--out \/proc\/x is not a writable folder/);
    await writeFile(join(dir, 'report.json'), JSON.stringify(buildSyntheticReport()));
    await expectExit2(['report', 'report.json', '--out', '/proc/x'], /--out \/proc\/x is not a writable folder/);
  });

  it('--issuer with user:password is refused without echoing the credentials', async () => {
    const line = await expectExit2(['run', 'smoke', '--issuer', 'http://admin:s3cr3t-pw@127.0.0.1:1/'], /--issuer must not carry credentials/);
    expect(line).not.toContain('s3cr3t-pw');
  });

  it('report and compare on a hostile or corrupt report.json', async () => {
    const hostile = buildSyntheticReport() as unknown as { endpoints: { token: { errors: unknown } } };
    hostile.endpoints.token.errors = '<img src=x onerror=alert(1)>';
    await writeFile(join(dir, 'hostile.json'), JSON.stringify(hostile));
    await writeFile(join(dir, 'corrupt.json'), JSON.stringify(buildSyntheticReport()).slice(0, 500));
    await writeFile(join(dir, 'good.json'), JSON.stringify(buildSyntheticReport()));
    await expectExit2(['report', 'hostile.json'], /hostile\.json is not a tokenstorm report: endpoints\.token\.errors must be integer/);
    await expectExit2(['compare', 'good.json', 'hostile.json'], /hostile\.json is not a tokenstorm report: endpoints\.token\.errors must be integer/);
    await expectExit2(['report', 'corrupt.json'], /corrupt\.json is not JSON/);
    await expectExit2(['compare', 'corrupt.json', 'good.json'], /corrupt\.json is not JSON/);
  });
});
