/**
 * Vitest global setup of the `keycloak` project: starts ONE real Keycloak (start-dev, 127.0.0.1,
 * dev-mem database, the realms of scenarios/keycloak/ imported) through scripts/ci/keycloak.sh for
 * the whole test run, and stops it at the end. KEYCLOAK_URL=http://127.0.0.1:PORT uses an already
 * running Keycloak with those realms instead (docker compose up keycloak). When Keycloak cannot
 * start, the reason is handed to the tests, which fail with it under CI=true and skip locally.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    keycloak: { baseUrl: string | null; error: string | null; startMs: number };
  }
}

const SCRIPT = resolve(import.meta.dirname, '../../scripts/ci/keycloak.sh');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function script(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KEYCLOAK_URL;
  if (external) {
    project.provide('keycloak', { baseUrl: external.replace(/\/$/, ''), error: null, startMs: 0 });
    return async () => {};
  }
  const dir = await mkdtemp(join(tmpdir(), 'tokenstorm-keycloak-'));
  const [port, mgmt] = [await freePort(), await freePort()];
  const t0 = performance.now();
  // Fetch (first time: ~180 MB from Maven Central) + start + realm import; bounded.
  const out = await script(
    ['start', '--port', String(port), '--management-port', String(mgmt), '--dir', dir, '--watch-pid', String(process.pid)],
    600_000,
  );
  const startMs = Math.round(performance.now() - t0);
  if (out.code === 0) {
    process.stderr.write(`${out.stderr.trim().split('\n').pop() ?? ''}\n`);
    project.provide('keycloak', { baseUrl: out.stdout.trim().split('\n').pop() ?? null, error: null, startMs });
  } else {
    // The script's own lines say why (Maven's output around them does not).
    const lines = out.stderr.trim().split('\n');
    const own = lines.filter((l) => l.startsWith('keycloak.sh:'));
    const why = (own.length > 0 ? own.slice(-2) : lines.slice(-3)).join(' | ') || `exit code ${out.code}`;
    project.provide('keycloak', { baseUrl: null, error: `Keycloak could not start (scripts/ci/keycloak.sh start): ${why}`, startMs });
  }
  return async () => {
    await script(['stop', '--dir', dir], 60_000);
    await rm(dir, { recursive: true, force: true });
  };
}
