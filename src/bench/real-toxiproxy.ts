/**
 * Starts the real Toxiproxy server that scripts/ci/toxiproxy.sh installed (pinned version, from its
 * cache under ~/.cache/tokenstorm; nothing is downloaded here) on 127.0.0.1 on a free port. Used by
 * `tokenstorm bench proxy` and by the real-toxiproxy vitest project.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The pinned version; keep in step with scripts/ci/toxiproxy.sh. */
export const REAL_TOXIPROXY_VERSION = 'v2.12.0';

/**
 * Where scripts/ci/toxiproxy.sh puts the server binary.
 *
 * @example
 * existsSync(realToxiproxyBin()) // installed?
 */
export function realToxiproxyBin(): string {
  const cache = process.env['TOKENSTORM_CACHE'] ?? join(homedir(), '.cache', 'tokenstorm');
  return join(cache, 'go', 'bin', `toxiproxy-${REAL_TOXIPROXY_VERSION}`, 'toxiproxy-server');
}

/** A running real Toxiproxy. */
export interface RealToxiproxy {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 3 s; never hangs. */
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(500) });
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Starts the binary and waits until its API answers.
 *
 * @throws Error naming the install command when the binary is missing, or with the server's
 *   output when it does not come up.
 * @example
 * const real = await startRealToxiproxy(); … await real.stop();
 */
export async function startRealToxiproxy(): Promise<RealToxiproxy> {
  const bin = realToxiproxyBin();
  if (!existsSync(bin)) {
    throw new Error(`real Toxiproxy ${REAL_TOXIPROXY_VERSION} is not installed at ${bin}: run scripts/ci/toxiproxy.sh (needs Go; .ci/run does this in CI)`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(bin, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (output.length < 10_000) output += d.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    };
    const until = Date.now() + START_DEADLINE_MS;
    while (Date.now() < until && child.exitCode === null) {
      if (await answers(url)) return { url, child, stop };
      await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    // Another process may have taken the port between the probe and the bind: try a new one.
    if (attempt >= 3) throw new Error(`real Toxiproxy did not answer on ${url} within ${START_DEADLINE_MS} ms: ${output.slice(-2000)}`);
  }
}
