/**
 * `tokenstorm bench verifiers`: parses flags, runs the benchmark, prints JSON or a small table.
 */
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { runVerifierBench, type VerifierBenchResult } from '../pkce/bench.ts';

const EXAMPLES = `
Examples:
  $ tokenstorm bench verifiers                     # all cores, 2 s per variant
  $ tokenstorm bench verifiers --workers 1 --seconds 5
  $ tokenstorm bench verifiers --json > bench.json # naivePairsPerSec, batchedPairsPerSec, poolPairsPerSec, poolVsNaive, …
`;

interface VerifiersFlags {
  workers?: string;
  seconds: string;
  json?: boolean;
}

/** Registers `tokenstorm bench verifiers`. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description("benchmarks of tokenstorm's own machinery");
  bench
    .command('verifiers')
    .description('PKCE pairs/s delivered to a consumer: naive inline vs inline batches vs the worker pool')
    .option('--workers <n>', 'pool worker threads (default: available parallelism)')
    .option('--seconds <s>', 'measured seconds per variant', '2')
    .option('--json', 'print one JSON object instead of a table')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: VerifiersFlags) => {
      const workers = flags.workers === undefined ? undefined : parseWorkers(flags.workers);
      const seconds = parseSeconds(flags.seconds);
      const result = await runVerifierBench({ workers, seconds });
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatTable(result));
    });
}

function parseWorkers(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 256) {
    throw new TokenstormError('ERR_USAGE', `--workers must be an integer in 1..256 (got '${raw}')`);
  }
  return n;
}

function parseSeconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new TokenstormError('ERR_USAGE', `--seconds must be a number > 0 and ≤ 3600 (got '${raw}')`);
  }
  return n;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function formatTable(r: VerifierBenchResult): string {
  const rows: [string, number][] = [
    ['naive inline (randomBytes + createHash)', r.naivePairsPerSec],
    ['inline batches', r.batchedPairsPerSec],
    [`pool (${r.workers} worker${r.workers === 1 ? '' : 's'})`, r.poolPairsPerSec],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`${'variant'.padEnd(width)}  ${'pairs/s'.padStart(12)}  vs naive`];
  for (const [name, rate] of rows) {
    lines.push(`${name.padEnd(width)}  ${fmt(rate).padStart(12)}  ${(rate / r.naivePairsPerSec).toFixed(1)}×`);
  }
  lines.push(
    `consumer: ${r.consumerNsPerPair} ns/pair from the ring (${r.consumerNsPerPairAllIn} ns all-in); ` +
      `pool waits: ${fmt(r.poolWaits)} of ${fmt(r.poolTaken)} takes`,
    `node ${r.node}, ${r.cpus} cpus, batch ${r.batchSize}, ${r.seconds} s per variant`,
  );
  return `${lines.join('\n')}\n`;
}
