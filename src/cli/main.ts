/**
 * The `tokenstorm` command. Each subcommand lives in its own file and only parses and calls.
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './errors.ts';
import { registerBench } from './bench.ts';
import { registerRun } from './run.ts';
import { registerCapacity } from './capacity.ts';
import { registerCompare } from './compare.ts';
import { registerReport } from './report.ts';
import { registerProxy } from './proxy.ts';
import { registerIdp } from './idp.ts';

const program = new Command('tokenstorm')
  .description('Load-testing and chaos harness for OAuth 2.0 token endpoints using PKCE (RFC 7636)')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride()
  .configureOutput({
    // commander's own usage errors: one line, exit 2 (see below).
    writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `tokenstorm: ${s.slice(7)}` : s),
  });

registerRun(program);
registerCapacity(program);
registerBench(program);
registerProxy(program);
registerIdp(program);
registerReport(program);
registerCompare(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version throw with exitCode 0.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(err);
  }
}
