/**
 * `tokenstorm faults [scenario]`: only the scenario's fault timeline, no load — so k6 (or
 * tokenstorm runs on other machines) get the same game-day faults and phase names.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { FaultProxies } from '../chaos/faults-only.ts';
import { assertLoopbackUrl, isLoopbackHost } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { integerFlag } from './options.ts';

interface FaultsFlags {
  toxiproxy?: string;
  upstream?: string;
  attach?: string;
  out?: string;
}

function parseUpstream(raw: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(raw);
  if (!m) throw new TokenstormError('ERR_USAGE', `--upstream must be HOST:PORT, e.g. 127.0.0.1:3000 (got '${raw}')`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (!isLoopbackHost(host)) throw new TokenstormError('ERR_NOT_LOOPBACK', `--upstream ${raw} is not a loopback address`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: integerFlag(m[2]!, '--upstream port', 1, 65535) };
}

/**
 * Registers `tokenstorm faults`.
 *
 * @example
 * registerFaults(program);
 */
export function registerFaults(program: Command): void {
  program
    .command('faults')
    .description("run only the scenario's fault timeline (no load) on Toxiproxy proxies another load tool goes through")
    .argument('[scenario]', 'scenario file or name (e.g. gameday-token-latency)')
    .option('--toxiproxy <url>', 'Toxiproxy API (loopback); default: an embedded fault server in this process')
    .option('--upstream <host:port>', 'create the proxies tokenstorm-faults-authorize/-token in front of this IdP (removed at the end)')
    .option('--attach <prefix>', 'use existing proxies <prefix>-authorize and <prefix>-token')
    .option('--out <dir>', "write phases.json (phases on the wall clock) for 'import k6 --phases'")
    .addHelpText(
      'after',
      `
Prints the proxies' listen addresses as one JSON line when ready, then applies and removes each
network fault at its time (the clock starts then: start the load at the same moment). Clock-skew
and IdP-mode faults need the embedded IdP and are skipped with a note.

Examples:
  $ tokenstorm faults gameday-token-latency --upstream 127.0.0.1:3000 --out faults
  $ tokenstorm faults gameday-token-latency --toxiproxy http://127.0.0.1:8474 --attach idp --out faults
  $ tokenstorm import k6 k6-out.json --phases faults/phases.json --out reports/gameday-k6

Exit codes: 0 every fault applied and removed, 2 bad usage, 3 fault server unreachable or a fault
could not be applied/removed.`,
    )
    .action(async (scenario: string | undefined, flags: FaultsFlags) => {
      if (flags.toxiproxy) assertLoopbackUrl(flags.toxiproxy, '--toxiproxy');
      if ((flags.upstream === undefined) === (flags.attach === undefined)) {
        throw new TokenstormError('ERR_USAGE', 'pass exactly one of --upstream HOST:PORT (create proxies) or --attach PREFIX (use existing ones)');
      }
      if (flags.attach !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(flags.attach)) throw new TokenstormError('ERR_USAGE', `--attach must be a proxy name prefix of letters, digits, '_', '.', '-' (got '${flags.attach}')`);
      const proxies: FaultProxies = flags.upstream !== undefined ? { upstream: parseUpstream(flags.upstream) } : { attachPrefix: flags.attach! };
      const plan = await loadScenario(scenario);
      // Loaded when the command runs, not with the CLI.
      const { runFaultsOnly } = await import('../chaos/faults-only.ts');
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const result = await runFaultsOnly(plan, {
          toxiproxyUrl: flags.toxiproxy ?? null,
          proxies,
          signal: ac.signal,
          onReady: (routes) => {
            const listen = Object.fromEntries(Object.entries(routes).map(([r, t]) => [r, `${t.host}:${t.port}`]));
            process.stdout.write(`${JSON.stringify({ ready: true, routes: listen })}\n`);
          },
        });
        for (const s of result.skipped) process.stderr.write(`tokenstorm: skipped fault ${s}\n`);
        for (const p of result.phases) process.stderr.write(`tokenstorm: phase ${p.name} ${p.startedAt} → ${p.endedAt}\n`);
        for (const e of result.errors) process.stderr.write(`tokenstorm: fault ${e.fault} could not ${e.action}: ${e.message}\n`);
        if (flags.out) {
          const dir = resolve(flags.out);
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, 'phases.json'), `${JSON.stringify({ scenario: plan.name, phases: result.phases }, null, 2)}\n`);
          process.stdout.write(`${join(dir, 'phases.json')}\n`);
        }
        process.exitCode = result.interrupted ? 130 : result.errors.length > 0 ? 3 : 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
