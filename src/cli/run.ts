/**
 * `tokenstorm run [scenario]`: parses flags, loads the scenario and calls runPlan. SIGINT stops
 * the run and still writes the (partial) report; a second SIGINT exits at once.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { assertLoopbackUrl } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import { loadReport, parseTolerance } from '../report/compare.ts';
import { formatSummary } from '../report/console.ts';
import { createProgress } from '../report/progress.ts';
import { parseThreshold } from '../report/thresholds.ts';
import { runPlan } from '../run.ts';
import { integerFlag } from './options.ts';
import { describePlan } from '../scenario/describe.ts';
import { loadScenario } from '../scenario/load.ts';
import type { RunPlan } from '../scenario/types.ts';

/** Flags of `run` (and `capacity`, which takes the same). */
export interface RunFlags {
  out: string;
  quiet?: boolean;
  json?: boolean;
  issuer?: string;
  toxiproxy?: string;
  threshold: string[];
  baseline?: string;
  tolerance: string;
  dryRun?: boolean;
  direct?: boolean;
  workers: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new TokenstormError('ERR_USAGE', `--out ${dir} is not a writable folder (${typeof code === 'string' ? code : 'error'})`);
  }
}

/** Registers `run`. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a scenario (default: scenarios/smoke.ts) against the embedded IdP or --issuer, and write reports/<run-id>/')
    .argument('[scenario]', 'scenario file (.ts, .json, .yaml) or a name from scenarios/ (smoke, capacity, token-p95, gameday-*)');
  addRunOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm run                                   # smoke run on the embedded IdP + fault proxy
  $ tokenstorm run capacity --quiet                  # search for the knee (same as tokenstorm capacity)
  $ tokenstorm run token-p95 --threshold 'token:p(95)<200' --baseline reports/base/report.json
  $ tokenstorm run gameday-token-latency             # latency toxic on the token endpoint
  $ tokenstorm run my.yaml --issuer http://127.0.0.1:8080/realms/demo --dry-run

Exit codes: 0 thresholds met, 1 threshold or regression failed, 2 bad usage or input,
3 target or fault server unreachable, 130 interrupted (partial report written).`,
    )
    .action((scenario: string | undefined, flags: RunFlags) => runScenarioCommand(scenario, flags));
}

/** The options `run` and `capacity` share. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'parent folder for reports/<run-id>/', 'reports')
    .option('--quiet', 'no progress and no summary (errors only)')
    .option('--json', 'print report.json to stdout (progress and summary go to stderr)')
    .option('--issuer <url>', 'remote issuer to target via discovery (loopback only); default: the embedded IdP')
    .option('--toxiproxy <url>', 'real Toxiproxy API URL for faults; default: the embedded fault server')
    .option('--threshold <expr>', "k6-style threshold, repeatable: 'token:p(95)<200', 'flow:rate(failed)<0.01', 'knee>=250'", collect, [])
    .option('--baseline <file>', 'baseline report.json: exit 1 when p95 (or, for a search, the knee) regresses beyond --tolerance')
    .option('--tolerance <pct>', 'allowed regression against --baseline', '10%')
    .option('--dry-run', 'print the plan in words and exit')
    .option('--direct', 'talk to the IdP directly, without fault proxies (no network faults)')
    .option('--workers <n>', 'verifier pool worker threads', '1');
}

/**
 * The body of `run` and `capacity`: checks every flag, loads the scenario (`check` may reject it),
 * runs it with Ctrl-C handling, prints the summary and sets the exit code.
 *
 * @example
 * await runScenarioCommand('capacity', flags, (plan) => { if (!plan.search) throw … });
 */
export async function runScenarioCommand(scenario: string | undefined, flags: RunFlags, check?: (plan: RunPlan) => void): Promise<void> {
  for (const t of flags.threshold) parseThreshold(t);
  const tolerancePct = parseTolerance(flags.tolerance);
  const workers = integerFlag(flags.workers, '--workers', 1, 256);
  // Every flag is checked before anything runs: a bad --baseline or --out must not cost a run.
  if (flags.issuer) assertLoopbackUrl(flags.issuer, '--issuer');
  if (flags.toxiproxy) assertLoopbackUrl(flags.toxiproxy, '--toxiproxy');
  if (flags.direct && flags.toxiproxy) throw new TokenstormError('ERR_USAGE', '--direct turns the fault proxies off; it cannot be combined with --toxiproxy');
  const baseline = flags.baseline ? await loadReport(flags.baseline) : null;
  await ensureWritableDir(flags.out);
  const plan = await loadScenario(scenario);
  check?.(plan);
  if (flags.dryRun) {
    process.stdout.write(`${describePlan(plan)}\n`);
    return;
  }
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('tokenstorm: interrupted; writing the partial report (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = createProgress({ quiet: flags.quiet === true, isTTY: process.stderr.isTTY === true, totalMs: plan.totalDurationMs });
  try {
    const outcome = await runPlan(plan, {
      outDir: flags.out,
      issuer: flags.issuer ?? null,
      toxiproxyUrl: flags.toxiproxy ?? null,
      direct: flags.direct === true,
      thresholds: flags.threshold,
      baseline,
      tolerancePct,
      signal: ac.signal,
      progress,
      workers,
    });
    const summary = formatSummary(outcome.report, outcome.files);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(outcome.report)}\n`);
      if (!flags.quiet) process.stderr.write(summary.endsWith('\n') ? summary : `${summary}\n`);
    } else if (!flags.quiet) {
      process.stdout.write(summary.endsWith('\n') ? summary : `${summary}\n`);
    }
    if (outcome.error !== undefined && outcome.error !== null) {
      // A crash mid-run (e.g. the target died): its own exit code, after the partial report.
      process.stderr.write(`tokenstorm: partial report written to ${outcome.dir}\n`);
      throw outcome.error;
    }
    process.exitCode = outcome.interrupted ? 130 : outcome.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
