/**
 * vitest globalSetup of the `real-toxiproxy` project: starts the real Toxiproxy 2.12 server that
 * scripts/ci/toxiproxy.sh installed (from its cache, no download here) on 127.0.0.1 on a free port,
 * hands its URL to the test files (`inject('toxiproxyUrl')`), and stops it after the run.
 *
 * vitest.config.ts only adds the project when the binary exists, or when CI=true — then a missing
 * binary fails the run here with the command that installs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the real Toxiproxy for this run ('' in projects without one). */
    toxiproxyUrl: string;
  }
}

/** The pinned version; keep in step with scripts/ci/toxiproxy.sh. */
export const REAL_TOXIPROXY_VERSION = 'v2.12.0';

/** Where scripts/ci/toxiproxy.sh puts the server. */
export const REAL_TOXIPROXY_BIN = join(
  process.env['TOKENSTORM_CACHE'] ?? join(homedir(), '.cache', 'tokenstorm'),
  'go',
  'bin',
  `toxiproxy-${REAL_TOXIPROXY_VERSION}`,
  'toxiproxy-server',
);

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

/** Starts the binary and waits until its API answers; rejects with its output if it does not. */
export async function startRealToxiproxy(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  if (!existsSync(REAL_TOXIPROXY_BIN)) {
    throw new Error(
      `real Toxiproxy ${REAL_TOXIPROXY_VERSION} is not installed at ${REAL_TOXIPROXY_BIN}: run scripts/ci/toxiproxy.sh (needs Go) — .ci/run does this in CI`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(REAL_TOXIPROXY_BIN, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (output.length < 10_000) output += d.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRealToxiproxy();
  project.provide('toxiproxyUrl', server.url);
  return () => server.stop();
}
