/**
 * The GitHub Actions recipe's own shell steps, run for real in bash: start the IdP under test (the
 * embedded stand-in), run the gate without a baseline, collect the reports, then — with that run's
 * report.json as the baseline, as the next workflow run would download it — run the gate against a
 * slower token endpoint and see it fail with a regression. Only what needs GitHub is left out (the
 * `gh run download` step, actions). `npx tokenstorm` is this checkout's built bin (linked into the
 * work folder's node_modules/.bin); the port is a free one instead of 4000 and the load is shorter.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanEnv, exec, pathWithNode24, root } from './exec.ts';

let work: string;
let port: number;
let idpGroup: ChildProcess | undefined;
let steps: Map<string, string>;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A step's `run` script with the port and paths of this test. */
function step(namePrefix: string): string {
  const entry = [...steps.entries()].find(([name]) => name.startsWith(namePrefix));
  if (!entry) throw new Error(`github-actions.yml has no step named "${namePrefix}…"`);
  return entry[1].replaceAll('4000', String(port));
}

/** The recipe's scenario with this test's port, a short load, no latency ceiling, and `extra` appended. */
async function writeScenario(extra = ''): Promise<void> {
  const text = (await readFile(join(root, 'docs/ci/token-p95.yaml'), 'utf8'))
    .replaceAll('4000', String(port))
    .replace('ratePerSec: 100', 'ratePerSec: 20')
    .replace('duration: 20s', 'duration: 3s')
    // The recipe's absolute ceiling is a timing bound; this test gates on the regression only.
    .replace(/thresholds:\n(\s+- .*\n)+/, '');
  await writeFile(join(work, '.tokenstorm/token-p95.yaml'), text + extra);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tokenstorm-ci-recipe-'));
  port = await freePort();
  await mkdir(join(work, 'node_modules/.bin'), { recursive: true });
  await symlink(join(root, 'bin/tokenstorm.js'), join(work, 'node_modules/.bin/tokenstorm'));
  await mkdir(join(work, '.tokenstorm'));
  const workflow = parse(await readFile(join(root, 'docs/ci/github-actions.yml'), 'utf8')) as {
    jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }>;
  };
  steps = new Map(
    Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .flatMap((s) => (s.name && s.run ? [[s.name, s.run] as [string, string]] : [])),
  );
});

afterAll(async () => {
  // The IdP step leaves `tokenstorm idp` running in the step shell's process group (as on a runner).
  if (idpGroup?.pid) {
    try {
      process.kill(-idpGroup.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  if (work) await rm(work, { recursive: true, force: true });
});

const bash = (script: string) => exec('bash', ['-e', '-c', script], { cwd: work, timeoutMs: 120_000 });

describe('docs/ci/github-actions.yml steps, run in bash', () => {
  it('"Start the IdP under test" leaves the IdP serving discovery', async () => {
    // Own process group (detached) so afterAll can stop the backgrounded IdP with it.
    const child = spawn('bash', ['-e', '-c', step('Start the IdP under test')], {
      cwd: work,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), PATH: pathWithNode24 },
    });
    idpGroup = child;
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolveCode) => child.on('exit', resolveCode));
    expect(code, output).toBe(0);
    const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${port}`);
  });

  it('first run: no baseline → thresholds only, exit 0; "Collect" gathers report.json, report.html, junit.xml', async () => {
    await writeScenario();
    const run = await bash(step('Token p95 against the baseline'));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('no baseline yet');
    const collect = await bash(step('Collect'));
    expect(collect.code, collect.stderr).toBe(0);
    expect((await readdir(join(work, 'tokenstorm-report'))).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    const report = JSON.parse(await readFile(join(work, 'tokenstorm-report/report.json'), 'utf8'));
    expect(report.target.issuer).toBe(`http://127.0.0.1:${port}`);
    expect(report.endpoints.token.count).toBeGreaterThanOrEqual(20);
  }, 180_000);

  it('next run: the last green report as baseline and a token endpoint 300 ms slower → exit 1 on the p95 regression, reports still collected', async () => {
    // What "Fetch the baseline" would download: the previous run's tokenstorm-report artifact.
    await mkdir(join(work, 'baseline'));
    await writeFile(join(work, 'baseline/report.json'), await readFile(join(work, 'tokenstorm-report/report.json')));
    await rm(join(work, 'reports'), { recursive: true });
    await rm(join(work, 'tokenstorm-report'), { recursive: true });
    await writeScenario(
      'faults:\n  - at: 0s\n    for: 3s\n    endpoint: token\n    toxic:\n      type: latency\n      attributes:\n        latency: 300\n',
    );
    const run = await bash(step('Token p95 against the baseline'));
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const collect = await bash(step('Collect'));
    expect(collect.code, collect.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'tokenstorm-report/report.json'), 'utf8'));
    const token = (report.regressions as Array<{ endpoint: string; stat: string; ok: boolean; baseline: number; current: number }>).find(
      (r) => r.endpoint === 'token' && r.stat === 'p95',
    );
    expect(token?.ok, JSON.stringify(report.regressions)).toBe(false);
    expect(token!.current).toBeGreaterThan(token!.baseline);
    const junit = await readFile(join(work, 'tokenstorm-report/junit.xml'), 'utf8');
    expect(junit).toContain('<failure');
  }, 180_000);
});
