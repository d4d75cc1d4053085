/**
 * `tokenstorm bench verifiers`: parses flags, runs the benchmark, prints JSON or a small table.
 */
import type { Command } from 'commander';
import { TokenstormError } from '../errors.ts';
import { assertLoopbackUrl } from '../loopback.ts';
import { integerFlag } from './options.ts';
import type { VerifierBenchResult } from '../pkce/bench.ts';

// The harness benchmarks start an IdP, servers and autocannon: loaded only when asked for.
const harnessBenches = () =>
  Promise.all([
    import('../bench/flows.ts'),
    import('../bench/recorder.ts'),
    import('../bench/raw-token.ts'),
    import('../bench/faults.ts'),
    import('../bench/metrics.ts'),
    import('../bench/proxy.ts'),
    import('../bench/keycloak.ts'),
    import('../bench/capacity.ts'),
  ]);
// Loaded by name (not by position in the list above), so benches added elsewhere do not shift them.
const startupBench = () => import('../bench/startup.ts');
const memoryBench = () => import('../bench/memory.ts');

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
      const workers = flags.workers === undefined ? undefined : integerFlag(flags.workers, '--workers', 1, 256);
      const seconds = parseSeconds(flags.seconds);
      const { runVerifierBench } = await import('../pkce/bench.ts');
      const result = await runVerifierBench({ workers, seconds });
      process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatTable(result));
    });

  bench
    .command('flows')
    .description('harness CPU per full PKCE flow vs a naive undici script, same IdP and rate; saturation run')
    .option('--rate <n>', 'flows per second for the side-by-side runs', '100')
    .option('--seconds <s>', 'measured seconds per run', '6')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ tokenstorm bench flows --rate 100 --seconds 6 --json   # harnessCpuMsPerFlow, naiveCpuMsPerFlow, harnessVsNaive\n')
    .action(async (flags: { rate: string; seconds: string; json?: boolean }) => {
      const ratePerSec = integerFlag(flags.rate, '--rate', 1);
      const seconds = parseSeconds(flags.seconds);
      const [{ benchFlows }] = await harnessBenches();
      print(await benchFlows({ ratePerSec, seconds }), flags.json);
    });

  bench
    .command('recorder')
    .description('recorder memory: RSS growth across N recorded samples (goal ≤ 30 MB for 10M)')
    .option('--samples <n>', 'samples to record', '10000000')
    .option('--json', 'print JSON')
    .action(async (flags: { samples: string; json?: boolean }) => {
      const samples = integerFlag(flags.samples, '--samples', 1);
      const [, { benchRecorder }] = await harnessBenches();
      print(benchRecorder(samples), flags.json);
    });

  bench
    .command('token-raw')
    .description('raw token-endpoint requests/s against a fixed-response server, vs autocannon side by side')
    .option('--connections <n>', 'connections for both clients', '32')
    .option('--seconds <s>', 'measured seconds per client and round', '3')
    .option('--json', 'print JSON')
    .action(async (flags: { connections: string; seconds: string; json?: boolean }) => {
      const connections = integerFlag(flags.connections, '--connections', 1);
      const seconds = parseSeconds(flags.seconds);
      const [, , { benchRawToken }] = await harnessBenches();
      print(await benchRawToken({ connections, seconds }), flags.json);
    });

  bench
    .command('keycloak')
    .description('capacity of a real local Keycloak (started from the cached distribution): the knee and the harness CPU next to Keycloak\'s (goal < 0.25)')
    .option('--to-rate <n>', 'ramp from 1 to this many flows/s', '30')
    .option('--seconds <s>', 'ramp length', '60')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ scripts/ci/keycloak.sh install && tokenstorm bench keycloak --json   # kneeFlowsPerSec, harnessVsKeycloakCpu\n')
    .action(async (flags: { toRate: string; seconds: string; json?: boolean }) => {
      const toRatePerSec = integerFlag(flags.toRate, '--to-rate', 2, 1000);
      const seconds = integerFlag(flags.seconds, '--seconds', 10, 3600);
      const [, , , , , , { benchKeycloak }] = await harnessBenches();
      print(await benchKeycloak({ toRatePerSec, seconds }), flags.json);
    });

  bench
    .command('faults')
    .description('embedded proxy overhead per request, and a 50 ms latency toxic as the harness measures it')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const [, , , { benchFaults }] = await harnessBenches();
      print(await benchFaults(), flags.json);
    });

  bench
    .command('metrics')
    .description('live-metrics cost: Prometheus listener per flow + one scrape per second as a share of harness CPU (goal < 2 %)')
    .option('--rate <n>', 'flows per second', '100')
    .option('--seconds <s>', 'measured seconds per run', '5')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ tokenstorm bench metrics --json   # metricsCpuPct, listenerNsPerFlow, scrapeUs, traceContextNsPerFlow, endToEnd\n')
    .action(async (flags: { rate: string; seconds: string; json?: boolean }) => {
      const ratePerSec = integerFlag(flags.rate, '--rate', 1);
      const seconds = parseSeconds(flags.seconds);
      const [, , , , { benchMetrics }] = await harnessBenches();
      print(await benchMetrics({ ratePerSec, seconds }), flags.json);
    });

  bench
    .command('proxy')
    .description('proxy requests/s and added p99: direct vs embedded vs real Toxiproxy 2.12, closed (64/256 connections) and open (2,000 req/s) model')
    .option('--seconds <s>', 'measured seconds per path and setting (split over the rounds)', '6')
    .option('--rounds <n>', 'interleaved rounds per setting; the median round is reported', '3')
    .option('--rate <n>', 'open-model offered requests per second', '2000')
    .option('--toxiproxy <url>', 'compare with this Toxiproxy instead of starting the one scripts/ci/toxiproxy.sh installed')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ scripts/ci/toxiproxy.sh                      # once: installs the real Toxiproxy 2.12 (cached)
  $ tokenstorm bench proxy --json                # closed.{64,256}.{direct,embedded,real}, open, addedP99Ms, goals
  $ tokenstorm bench proxy --toxiproxy http://127.0.0.1:8474 --seconds 10
Without an installed real Toxiproxy (and no --toxiproxy) it compares direct and embedded only and
says why in realSkipped.`,
    )
    .action(async (flags: { seconds: string; rounds: string; rate: string; toxiproxy?: string; json?: boolean }) => {
      const seconds = parseSeconds(flags.seconds);
      const rounds = integerFlag(flags.rounds, '--rounds', 1, 20);
      const ratePerSec = integerFlag(flags.rate, '--rate', 1, 20_000);
      if (flags.toxiproxy !== undefined) assertLoopbackUrl(flags.toxiproxy, '--toxiproxy');
      const [, , , , , { benchProxy }] = await harnessBenches();
      print(await benchProxy({ seconds, rounds, ratePerSec, ...(flags.toxiproxy === undefined ? {} : { toxiproxyUrl: flags.toxiproxy.replace(/\/$/, '') }) }), flags.json);
    });

  bench
    .command('capacity')
    .description('capacity search vs a closed-model saturation run on the embedded IdP: knee within ±15%, three searches within ±10%')
    .option('--vus <list>', 'VU counts of the closed-model saturation runs (the best counts), comma-separated', '48,128')
    .option('--seconds <s>', 'seconds of the saturation run', '10')
    .option('--step-seconds <s>', 'seconds per search step', '6')
    .option('--searches <n>', 'how many searches', '3')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ tokenstorm bench capacity --json   # closedFlowsPerSec, knees, kneeVsClosed, kneeWithin15Pct, spreadPct, searchesAgreeWithin10Pct\n',
    )
    .action(async (flags: { vus: string; seconds: string; stepSeconds: string; searches: string; json?: boolean }) => {
      const vus = flags.vus.split(',').map((v) => integerFlag(v.trim(), '--vus', 1, 4096));
      const seconds = parseSeconds(flags.seconds);
      const stepSeconds = integerFlag(flags.stepSeconds, '--step-seconds', 3, 600);
      const searches = integerFlag(flags.searches, '--searches', 1, 20);
      const [, , , , , , , { benchCapacity }] = await harnessBenches();
      print(await benchCapacity({ vus, seconds, stepSeconds, searches }), flags.json);
    });

  bench
    .command('startup')
    .description('start-up tail: flow p99 of the first seconds vs the steady state against a fresh embedded IdP (cold/warm harness, cold/warm IdP)')
    .option('--rate <n>', 'flows per second', '200')
    .option('--seconds <s>', 'seconds per run', '10')
    .option('--no-warm-idp-first', 'skip the cold-harness, warm-IdP variant (then `fresh` is the cold harness)')
    .option('--prime-flows <n>', 'flows the `fresh` IdP primes itself with before it is ready, as a run does (0: a cold IdP)', '40')
    .option('--harness-prime-flows <n>', 'flows the `fresh` run sends before its clock starts, as load.primeFlows (0: a cold harness)', '20')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ tokenstorm bench startup --json   # idpWarm/fresh/harnessWarm/bothWarm .headVsSteady .idpColdExtraCpuMs, cause, goalMet\n')
    .action(async (flags: { rate: string; seconds: string; warmIdpFirst?: boolean; primeFlows: string; harnessPrimeFlows: string; json?: boolean }) => {
      const ratePerSec = integerFlag(flags.rate, '--rate', 1, 5000);
      const seconds = integerFlag(flags.seconds, '--seconds', 6, 600);
      const primeFlows = integerFlag(flags.primeFlows, '--prime-flows', 0, 100_000);
      const harnessPrimeFlows = integerFlag(flags.harnessPrimeFlows, '--harness-prime-flows', 0, 1000);
      const { benchStartup } = await startupBench();
      print(await benchStartup({ ratePerSec, seconds, primeFlows, harnessPrimeFlows, warmIdpFirst: flags.warmIdpFirst !== false }), flags.json);
    });

  bench
    .command('memory')
    .description("harness peak RSS at 100/200/400 flows/s (a fresh `tokenstorm run` per run: as shipped, with V8's default young generation, with a verifier thread), against k6's recorded numbers")
    .option('--rates <list>', 'comma-separated flows per second', '100,200,400')
    .option('--seconds <s>', 'seconds per run', '10')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ tokenstorm bench memory --json   # rates[].shipped.peakRssMb, rates[].vsK6Recorded, rates[].v8DefaultVsShipped\n')
    .action(async (flags: { rates: string; seconds: string; json?: boolean }) => {
      const rates = flags.rates.split(',').map((r) => integerFlag(r.trim(), '--rates', 1, 5000));
      const seconds = integerFlag(flags.seconds, '--seconds', 1, 600);
      const { benchMemory } = await memoryBench();
      print(await benchMemory({ rates, seconds }), flags.json);
    });

  bench
    .command('all')
    .description('every benchmark in one run (what `npm run bench` prints)')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExample:\n  $ npm run bench    # tokenstorm bench all --json\n')
    .action(async (flags: { json?: boolean }) => {
      const [{ benchFlows }, { benchRecorder }, { benchRawToken }, { benchFaults }, { benchMetrics }, { benchProxy }, , { benchCapacity }] = await harnessBenches();
      const [{ benchStartup }, { benchMemory }] = await Promise.all([startupBench(), memoryBench()]);
      // First: the start-up benchmark needs a harness that has not run anything yet.
      const startup = await benchStartup({});
      const result = {
        startup,
        memory: await benchMemory({}),
        verifiers: await (await import('../pkce/bench.ts')).runVerifierBench({}),
        flows: await benchFlows({}),
        recorder: benchRecorder(),
        tokenRaw: await benchRawToken({}),
        faults: await benchFaults(),
        metrics: await benchMetrics({}),
        proxy: await benchProxy({}),
        capacity: await benchCapacity({}),
      };
      print(result, flags.json);
    });
}

function print(result: object, json: boolean | undefined): void {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
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
