/**
 * `tokenstorm run [scenario]`: parses flags, loads the scenario and calls runPlan. SIGINT (and
 * SIGTERM, SIGHUP: a closed terminal or a CI runner stopping the job) stops the run and still
 * writes the (partial) report; a second SIGINT exits at once. `capacity` shares the options and
 * the body ({@link addRunOptions}, {@link runScenarioCommand}).
 */
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { parseSegment, type Segment } from '../load/segment.ts';
import { assertLoopbackUrl } from '../loopback.ts';
import { loadReport, parseTolerance } from '../report/compare.ts';
import { formatSummary } from '../report/console.ts';
import { createProgress, type Progress } from '../report/progress.ts';
import { parseThreshold } from '../report/thresholds.ts';
import { join } from 'node:path';
import { mergeReports } from '../report/merge.ts';
import type { Report } from '../report/schema.ts';
import { newRunId, type RunOptions, runPlan } from '../run.ts';
import { checkThreadable, runThreads } from '../run/threads.ts';
import { gateAndWrite } from './gate-output.ts';
import { describePlan } from '../scenario/describe.ts';
import { loadScenario } from '../scenario/load.ts';
import type { RunPlan } from '../scenario/types.ts';
import { ensureWritableDir, integerFlag } from './options.ts';

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
  workers?: string;
  segment?: string;
  threads?: string;
  metricsPort?: string;
  otlp?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Registers `run`. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a scenario (default: scenarios/smoke.ts) against the embedded IdP or --issuer, and write reports/<run-id>/')
    .argument('[scenario]', 'scenario file (.ts, .json, .yaml) or a name from scenarios/ (smoke, capacity, token-p95, gameday-*)');
  addRunOptions(cmd)
    .option('--segment <i/N>', 'run only execution segment i of N of the arrival schedule (arrival k goes to segment k mod N; merge the N reports with `tokenstorm merge`)')
    .option('--threads <n>', 'run the load in N worker threads, each an execution segment (arrival k in thread k mod N), merged into one report; open model, no faults')
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm run                                   # smoke run on the embedded IdP + fault proxy
  $ tokenstorm run capacity --quiet                  # search for the knee (same as tokenstorm capacity)
  $ tokenstorm run token-p95 --threshold 'token:p(95)<200' --baseline reports/base/report.json
  $ tokenstorm run gameday-token-latency             # latency toxic on the token endpoint
  $ tokenstorm run my.yaml --issuer http://127.0.0.1:8080/realms/demo --dry-run
  $ tokenstorm run smoke --segment 0/2 --out parts   # this machine runs half the arrivals
  $ tokenstorm run smoke --threads 2                 # two load threads, one merged report
  $ tokenstorm run gameday-token-latency --metrics-port 9464   # Prometheus scrapes 127.0.0.1:9464/metrics

Exit codes: 0 thresholds met, 1 threshold, check or regression failed, 2 bad usage or input,
3 target or fault server unreachable (also lost mid-run), 4 security findings (probes),
130 interrupted (partial report written).`,
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
    .option('--workers <n>', 'verifier pool worker threads (0 = inline; default: 0 up to 2000 flows/s, else 1)')
    .option('--metrics-port <n>', 'serve Prometheus metrics on http://127.0.0.1:<n>/metrics during the run')
    .option('--otlp <url>', 'export one span per request to this OTLP/HTTP traces URL (loopback), e.g. http://127.0.0.1:4318/v1/traces');
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
  const workers = flags.workers === undefined ? undefined : integerFlag(flags.workers, '--workers', 0, 256);
  const segment: Segment | undefined = flags.segment === undefined ? undefined : parseSegment(flags.segment);
  const threads = flags.threads === undefined ? 1 : integerFlag(flags.threads, '--threads', 1, 64);
  if (threads > 1 && segment) throw new TokenstormError('ERR_USAGE', '--threads splits the schedule itself; it cannot be combined with --segment');
  const metricsPort = flags.metricsPort === undefined ? null : integerFlag(flags.metricsPort, '--metrics-port', 1, 65_535);
  // Every flag is checked before anything runs: a bad --baseline or --out must not cost a run.
  if (flags.otlp) assertLoopbackUrl(flags.otlp, '--otlp');
  if (flags.issuer) assertLoopbackUrl(flags.issuer, '--issuer');
  if (flags.toxiproxy) assertLoopbackUrl(flags.toxiproxy, '--toxiproxy');
  if (flags.direct && flags.toxiproxy) throw new TokenstormError('ERR_USAGE', '--direct turns the fault proxies off; it cannot be combined with --toxiproxy');
  const baseline = flags.baseline ? await loadReport(flags.baseline) : null;
  await ensureWritableDir(flags.out);
  const plan = await loadScenario(scenario);
  check?.(plan);
  if (segment && (plan.model === 'closed' || plan.search)) {
    throw new TokenstormError('ERR_USAGE', `--segment splits a fixed arrival schedule; scenario ${plan.name} uses ${plan.search ? 'a capacity search' : 'the closed model (fixed VUs)'}`, {
      hint: 'give each machine its own scenario instead',
    });
  }
  if (flags.dryRun) {
    process.stdout.write(`${describePlan(plan)}\n`);
    if (segment) {
      process.stdout.write(
        `Segment ${segment.index}/${segment.count}: this process runs arrivals k with k mod ${segment.count} = ${segment.index} (about 1/${segment.count} of them, at their whole-schedule times).\n`,
      );
    }
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
  process.on('SIGHUP', onSigint);
  const progress = createProgress({ quiet: flags.quiet === true, isTTY: process.stderr.isTTY === true, totalMs: plan.totalDurationMs });
  if (threads > 1) {
    try {
      checkThreadable(plan, flags.issuer ?? null);
      process.exitCode = await runThreadedCli(plan, flags, threads, workers, ac.signal, { baseline, tolerancePct }, progress);
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      process.off('SIGHUP', onSigint);
    }
    return;
  }
  try {
    const options: RunOptions = {
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
      ...(segment ? { segment } : {}),
      metricsPort,
      otlpUrl: flags.otlp ?? null,
    };
    const outcome = await runPlan(plan, options);
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
    process.off('SIGHUP', onSigint);
  }
}

/** `run --threads N`: the threads' reports merged, gated and written like one run's. */
async function runThreadedCli(
  plan: RunPlan,
  flags: RunFlags,
  threads: number,
  workers: number | undefined,
  signal: AbortSignal,
  gate: { baseline: Report | null; tolerancePct: number },
  progress: Progress,
): Promise<number> {
  const runId = newRunId();
  if (!flags.quiet) process.stderr.write(`tokenstorm: ${threads} load threads, each an execution segment of ${plan.name}; one merged report at the end\n`);
  const { reports, interrupted } = await runThreads(plan, { threads, issuer: flags.issuer ?? null, workers, runId, signal, progress });
  const { report, thresholdExprs } = mergeReports(
    reports.map((r, i) => ({ report: r, label: `thread ${i}` })),
    { runId },
  );
  const knee = reports.some((r) => r.knee !== undefined);
  const code = await gateAndWrite(
    report,
    thresholdExprs,
    { out: join(flags.out, runId), threshold: flags.threshold, tolerance: flags.tolerance, ...(flags.quiet ? { quiet: true } : {}), ...(flags.json ? { json: true } : {}) },
    gate,
    { knee },
  );
  return interrupted ? 130 : code;
}
