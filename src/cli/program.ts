/**
 * The `tokenstorm` commander program, built without parsing or running anything: main.ts parses
 * argv with it, `tokenstorm completion` walks it, and tests check the CI recipes against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { packageRoot } from '../scenario/load.ts';
import { registerBench } from './bench.ts';
import { registerCapacity } from './capacity.ts';
import { registerCheck } from './check.ts';
import { registerCompare } from './compare.ts';
import { registerCompletion } from './completion.ts';
import { registerFaults } from './faults.ts';
import { registerIdp } from './idp.ts';
import { registerK6 } from './k6.ts';
import { registerMerge } from './merge.ts';
import { registerProbe } from './probe.ts';
import { registerProxy } from './proxy.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';

/** The installed package's version, read from its package.json (same file in a checkout and in node_modules). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * Every command and option of the CLI, unparsed. Actions only run when the caller parses argv.
 *
 * @example
 * const program = buildProgram();
 * console.log(program.commands.map((c) => c.name())); // ['run', 'bench', …]
 */
export function buildProgram(): Command {
  const program = new Command('tokenstorm')
    .description('Load-testing and chaos harness for OAuth 2.0 token endpoints using PKCE (RFC 7636)')
    // Which Node runs it matters as much as which tokenstorm: bug reports paste this line.
    .version(`tokenstorm ${packageVersion()} (node ${process.version})`, '-V, --version', 'print the tokenstorm and Node.js versions')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // commander's own usage errors: one line, exit 2 (see main.ts).
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `tokenstorm: ${s.slice(7)}` : s),
    });

  registerRun(program);
  registerCheck(program);
  registerCapacity(program);
  registerProbe(program);
  registerBench(program);
  registerProxy(program);
  registerIdp(program);
  registerReport(program);
  registerCompare(program);
  registerMerge(program);
  registerK6(program);
  registerFaults(program);
  registerCompletion(program);
  return program;
}
