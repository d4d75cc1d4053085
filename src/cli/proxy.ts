/**
 * `tokenstorm proxy`: runs the embedded Toxiproxy-compatible fault server on its own, e.g. for a
 * game day driven by toxiproxy-cli or another tokenstorm process (`run --toxiproxy URL`).
 */
import type { Command } from 'commander';
import { startFaultServer } from '../chaos/fault-server.ts';
import { integerFlag } from './options.ts';

/** Parses --port strictly: digits only, 0..65535. */
/** Registers `tokenstorm proxy`. */
export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('Run the embedded Toxiproxy-compatible fault server (API on loopback) until Ctrl-C')
    .option('--port <port>', 'API port (0 = any free port)', '8474')
    .option('--host <host>', 'API host; loopback only (127.0.0.1, ::1, localhost)', '127.0.0.1')
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm proxy                      # API on http://127.0.0.1:8474
  $ tokenstorm proxy --port 0             # any free port; the URL is printed on stdout
  $ toxiproxy-cli -h 127.0.0.1:8474 create -l localhost:0 -u localhost:3000 token
  $ tokenstorm run gameday --toxiproxy http://127.0.0.1:8474

Prints the API URL on stdout, then serves until SIGINT or SIGTERM.`,
    )
    .action(async (opts: { port: string; host: string }) => {
      const port = integerFlag(opts.port, '--port', 0, 65535);
      const server = await startFaultServer({ host: opts.host, port });
      process.stdout.write(`${server.url}\n`);
      process.stderr.write('tokenstorm proxy: Toxiproxy-compatible API ready; Ctrl-C to stop\n');
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        process.on('SIGHUP', stop);
      });
      await server.close();
    });
}
