/**
 * The `tokenstorm` command. Each subcommand lives in its own file and only parses and calls;
 * program.ts assembles them.
 */
import '../shim.ts';
import { CommanderError } from 'commander';
import { reportError } from './errors.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version throw with exitCode 0.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(err);
  }
}
