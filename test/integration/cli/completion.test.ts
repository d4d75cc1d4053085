/**
 * `tokenstorm completion bash|zsh|fish` and `--version` from the outside: the built binary prints
 * the scripts, and the real shells load them and complete (bash through its completion variables,
 * fish through `complete -C`, zsh with its completion builtins stubbed to print the candidates).
 * The scripts are generated from the commander program, so every command and flag must be in each.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.ts';
import { BIN, type CliResult, NODE, ROOT, runCommand } from '../../support/cli.ts';

let dir: string;

const run = (command: string, args: string[]): Promise<CliResult> => runCommand(command, args, { cwd: dir });

/** The shell's binary, or a reason it is missing (fails under CI=true, skips locally). */
async function shell(name: 'bash' | 'zsh' | 'fish', ctx: { skip: (note: string) => void }): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${name}`]).catch(() => ({ code: 1 }) as CliResult);
  if (r.code === 0) return true;
  const why = `${name} is not installed (scripts/ci/package-peers.sh installs it)`;
  if (process.env.CI === 'true') throw new Error(why);
  ctx.skip(why);
  return false;
}

const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-completion-'));
  for (const sh of ['bash', 'zsh', 'fish'] as const) {
    const r = await run(NODE, [BIN, 'completion', sh]);
    expect(r.code, r.stderr).toBe(0);
    scripts[sh] = r.stdout;
    await writeFile(join(dir, `completion.${sh}`), r.stdout);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

describe('tokenstorm --version', () => {
  it('prints the package version and the Node version in use', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const nodeVersion = (await run(NODE, ['-p', 'process.version'])).stdout.trim();
    for (const flag of ['--version', '-V']) {
      const r = await run(NODE, [BIN, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`tokenstorm ${pkg.version} (node ${nodeVersion})\n`);
    }
  });
});

describe('tokenstorm completion', () => {
  it('names every command and every long flag of the program, in each shell', () => {
    const commands = allCommands(buildProgram()).slice(1);
    expect(commands.length).toBeGreaterThan(10);
    for (const sh of ['bash', 'zsh', 'fish'] as const) {
      for (const c of commands) {
        expect(scripts[sh], `${sh}: ${c.name()}`).toContain(c.name());
        for (const o of c.options) if (o.long) expect(scripts[sh], `${sh}: ${c.name()} ${o.long}`).toContain(sh === 'fish' ? `-l ${o.long.slice(2)}` : o.long);
      }
    }
  });

  it('an unknown shell is one line, exit 2', async () => {
    const r = await run(NODE, [BIN, 'completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tokenstorm: .*'tcsh'.*bash, zsh, fish/);
  });

  it('bash completes commands, subcommands, flags and built-in scenarios', async (ctx) => {
    if (!(await shell('bash', ctx))) return;
    const complete = async (...words: string[]): Promise<string[]> => {
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const r = await run('bash', ['-c', `source ./completion.bash; COMP_WORDS=(tokenstorm ${quoted}); COMP_CWORD=${words.length}; _tokenstorm; printf '%s\\n' "\${COMPREPLY[@]}"`]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(await complete('ru')).toEqual(['run']);
    expect(await complete('bench', '')).toEqual(expect.arrayContaining(['verifiers', 'flows', 'recorder', 'token-raw', 'faults', 'all']));
    expect(await complete('run', '--bas')).toEqual(['--baseline']);
    expect(await complete('run', 'tok')).toEqual(['token-p95']);
    expect(await complete('bench', 'flows', '--ra')).toEqual(['--rate']);
    expect(await complete('completion', '')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    // An option's value: no words, so `complete -o default` offers file names.
    expect(await complete('run', '--out', '')).toEqual([]);
  });

  it('fish completes commands, subcommands, flags and built-in scenarios', async (ctx) => {
    if (!(await shell('fish', ctx))) return;
    const complete = async (line: string): Promise<string[]> => {
      const r = await run('fish', ['--no-config', '-c', `source ./completion.fish; complete -C '${line}'`]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    };
    expect(await complete('tokenstorm ru')).toEqual(['run']);
    expect(await complete('tokenstorm bench ')).toEqual(expect.arrayContaining(['verifiers', 'flows', 'all']));
    expect(await complete('tokenstorm bench ')).not.toContain('package.json');
    expect(await complete('tokenstorm run --bas')).toEqual(['--baseline']);
    expect(await complete('tokenstorm run tok')).toContain('token-p95');
  });

  it('zsh loads the script and offers the right candidates for each position', async (ctx) => {
    if (!(await shell('zsh', ctx))) return;
    // compinit needs a terminal; stub the three completion builtins the script calls.
    const complete = async (...words: string[]): Promise<string[]> => {
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const script = `compdef() { :; }; _files() { print -r -- '<files>'; }; _describe() { print -rl -- "\${(@P)4}"; }
source ./completion.zsh; words=(tokenstorm ${quoted}); CURRENT=${words.length + 1}; _tokenstorm`;
      const r = await run('zsh', ['-f', '-c', script]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]!);
    };
    expect(await complete('')).toEqual(expect.arrayContaining(['run', 'bench', 'compare', 'completion', '--version']));
    expect(await complete('bench', '')).toEqual(expect.arrayContaining(['verifiers', 'flows', 'all']));
    expect(await complete('run', '')).toEqual(expect.arrayContaining(['token-p95', '--baseline', '<files>']));
    expect(await complete('run', '--out', '')).toEqual(['<files>']);
  });
});
