/**
 * The CI recipes in docs/ci/ are valid YAML, have the shape their CI reads, and every `tokenstorm`
 * command in them exists with those flags (checked against the commander program itself). The
 * scenario they run loads, and points at the port the recipes start the IdP on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/program.ts';
import { loadScenario } from '../../../src/scenario/load.ts';
import { checkCall, findTokenstormCalls, type TokenstormCall } from './command-check.ts';

const root = join(import.meta.dirname, '../../..');
const program = buildProgram();

async function yamlFile(name: string): Promise<Record<string, unknown>> {
  // parse() throws on a YAML error; prettyErrors puts the line and column in the message.
  return parse(await readFile(join(root, 'docs/ci', name), 'utf8'), { prettyErrors: true, uniqueKeys: true }) as Record<string, unknown>;
}

type Step = { run?: string; uses?: string; if?: string; with?: Record<string, unknown> };

function githubScripts(doc: Record<string, unknown>): { steps: Step[]; scripts: string[] } {
  const jobs = doc['jobs'] as Record<string, { steps: Step[] }>;
  const steps = Object.values(jobs).flatMap((j) => j.steps);
  return { steps, scripts: steps.flatMap((s) => (typeof s.run === 'string' ? [s.run] : [])) };
}

function gitlabScripts(job: Record<string, unknown>): string[] {
  return ['before_script', 'script', 'after_script'].flatMap((k) => (job[k] as string[] | undefined) ?? []);
}

/** `${NAME}` as the shell script spells it. */
const shellVar = (name: string): string => `$\{${name}}`;

function calls(scripts: string[]): TokenstormCall[] {
  return scripts.flatMap(findTokenstormCalls);
}

describe('the command checker', () => {
  it('accepts a real command and rejects unknown commands, flags, missing values and extra arguments', () => {
    const check = (line: string): string[] => findTokenstormCalls(line).flatMap((c) => checkCall(program, c));
    expect(check('npx tokenstorm run token-p95 --quiet --out reports --baseline b.json --tolerance 10%')).toEqual([]);
    expect(check('npx tokenstorm run token-p95 --basline b.json')).toContainEqual(expect.stringContaining('has no option --basline'));
    expect(check('tokenstorm runn x')).toContainEqual(expect.stringContaining('has no subcommand runn'));
    expect(check('tokenstorm run a b')).toContainEqual(expect.stringContaining('takes 1 argument(s), got 2'));
    expect(check('tokenstorm run --out')).toContainEqual(expect.stringContaining('--out needs a value'));
    expect(check('tokenstorm bench')).toContainEqual(expect.stringContaining('needs a subcommand'));
    expect(check('tokenstorm completion tcsh')).toContainEqual(expect.stringContaining('not one of bash, zsh, fish'));
    expect(check('echo tokenstorm run --nope && npx tokenstorm idp --port 4000 > idp.log')).toEqual([]);
  });
});

describe('docs/ci/github-actions.yml', () => {
  it('is a workflow that gates, publishes junit.xml to the checks view and uploads the report', async () => {
    const doc = await yamlFile('github-actions.yml');
    const { steps, scripts } = githubScripts(doc);
    expect(doc['on']).toBeDefined();
    const found = calls(scripts);
    expect(found.map((c) => c.args[0])).toEqual(['idp', 'run', 'run']);
    expect(found.some((c) => c.args.includes('--baseline'))).toBe(true);
    expect(scripts.join('\n')).toMatch(/gh run list .*--status success/);
    const junit = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    expect(junit?.if).toBe('always()');
    expect(junit?.with?.['report_paths']).toBe('tokenstorm-report/junit.xml');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.['name']).toBe('tokenstorm-report');
  });

  it('every tokenstorm command exists with those flags', async () => {
    const found = calls(githubScripts(await yamlFile('github-actions.yml')).scripts);
    expect(found.flatMap((c) => checkCall(program, c))).toEqual([]);
  });
});

describe('docs/ci/gitlab-ci.yml', () => {
  it('is a job that gates, reports junit.xml and keeps report.html', async () => {
    const doc = await yamlFile('gitlab-ci.yml');
    const job = doc['token-p95'] as Record<string, unknown>;
    const found = calls(gitlabScripts(job));
    expect(found.map((c) => c.args[0])).toEqual(['idp', 'run', 'run']);
    expect(found.some((c) => c.args.includes('--baseline'))).toBe(true);
    expect(gitlabScripts(job).join('\n')).toContain(`/jobs/artifacts/${shellVar('CI_DEFAULT_BRANCH')}/raw/tokenstorm-report/report.json`);
    const artifacts = job['artifacts'] as { when: string; paths: string[]; reports: { junit: string } };
    expect(artifacts.when).toBe('always');
    expect(artifacts.reports.junit).toBe('tokenstorm-report/junit.xml');
    expect(artifacts.paths).toContain('tokenstorm-report/');
  });

  it('every tokenstorm command exists with those flags', async () => {
    const found = calls(gitlabScripts((await yamlFile('gitlab-ci.yml'))['token-p95'] as Record<string, unknown>));
    expect(found.flatMap((c) => checkCall(program, c))).toEqual([]);
  });
});

describe('both recipes', () => {
  it('install the version of tokenstorm this checkout is', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const github = githubScripts(await yamlFile('github-actions.yml')).scripts.join('\n');
    expect(github).toContain(`tokenstorm@${version}`);
    const gitlab = (await yamlFile('gitlab-ci.yml'))['token-p95'] as { variables: Record<string, string> };
    expect(gitlab.variables['TOKENSTORM_VERSION']).toBe(version);
  });
});

describe('docs/ci/token-p95.yaml', () => {
  it('loads as a token-mode scenario aimed at the port the recipes start the IdP on', async () => {
    const plan = await loadScenario(join(root, 'docs/ci/token-p95.yaml'));
    expect(plan.name).toBe('token-p95');
    expect(plan.mode).toBe('token');
    expect(plan.target.issuer).toBe('http://127.0.0.1:4000');
    for (const file of ['github-actions.yml', 'gitlab-ci.yml']) {
      expect(await readFile(join(root, 'docs/ci', file), 'utf8')).toContain('tokenstorm idp --port 4000');
    }
  });
});
