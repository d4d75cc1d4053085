/**
 * `tokenstorm capacity [scenario]`: "how many flows/s does this IdP sustain within its SLO?"
 * answered by a search (`load.search`) rather than a guessed ramp. The same flags and reports as
 * `run`; the scenario must search (default: the bundled capacity scenario).
 */
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { addRunOptions, type RunFlags, runScenarioCommand } from './run.ts';

/** Registers `capacity`. */
export function registerCapacity(program: Command): void {
  const cmd = program
    .command('capacity')
    .description('search for the knee: the highest rate at which the SLO holds (default scenario: capacity)')
    .argument('[scenario]', 'a scenario with load.search (.ts, .json, .yaml) or a name from scenarios/', 'capacity');
  addRunOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm capacity                              # token p95 < 200 ms on the embedded IdP
  $ tokenstorm capacity --threshold 'knee>=250'      # exit 1 when the knee is below 250 flows/s
  $ tokenstorm capacity --baseline reports/base/report.json --tolerance 10%   # a knee drop > 10% is a regression
  $ tokenstorm capacity my-search.yaml --issuer http://127.0.0.1:8080/realms/demo

The answer is one number with its resolution ("312.5/s ±4.1%"), "below the start rate" when the
first step already broke the SLO, or "at least X, harness-limited" when the harness could not keep up.
Exit codes as for run: 0 thresholds met, 1 threshold or regression failed, 2 bad usage or input,
3 target or fault server unreachable, 130 interrupted.`,
    )
    .action((scenario: string, flags: RunFlags) =>
      runScenarioCommand(scenario, flags, (plan) => {
        if (plan.search === null) {
          throw new TokenstormError('ERR_USAGE', `scenario ${plan.name} has no load.search: capacity searches for the knee (add load.search, or use tokenstorm run for a fixed shape)`);
        }
      }),
    );
}
