/**
 * Runs a real process for the package tests: captured output, exit code, and a kill deadline so a
 * hung child fails the test instead of hanging the suite.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type CliResult, runCommand } from '../../support/cli.ts';

export const root = resolve(import.meta.dirname, '../../..');
/** The pinned Node 24 (devDependency `node`), the one npm scripts run. */
export const node24 = realpathSync(join(root, 'node_modules/.bin/node'));
/** PATH with the pinned Node first, so `npx` and `#!/usr/bin/env node` bins run on it. */
export const pathWithNode24 = `${dirname(node24)}:${process.env.PATH ?? ''}`;

/**
 * This process's environment without npm's lifecycle variables (npm_config_*, npm_package_*, …):
 * under `npm test` they would steer the nested npm (prefix, cache, scripts) like a user's would not.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

export type ExecResult = CliResult;

/** Runs `command args` with the pinned Node first on PATH and npm's lifecycle variables removed. */
export function exec(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ExecResult> {
  return runCommand(command, args, { cwd: opts.cwd, env: { ...cleanEnv(), PATH: pathWithNode24, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** MAJOR.MINOR.PATCH → comparable tuple. */
export function versionTuple(v: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map(Number);
  return [a, b, c];
}

export function olderThan(v: string, min: string): boolean {
  const x = versionTuple(v);
  const y = versionTuple(min);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

/** A Node binary older than `min` on this machine (TOKENSTORM_OLD_NODE, /usr/bin/node), or undefined. */
export async function findOldNode(min: string): Promise<{ path: string; version: string } | undefined> {
  for (const path of [process.env.TOKENSTORM_OLD_NODE, '/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!path || !existsSync(path)) continue;
    const r = await exec(path, ['-p', 'process.version'], { cwd: root, timeoutMs: 20_000 });
    const version = r.stdout.trim();
    if (r.code === 0 && olderThan(version, min)) return { path, version };
  }
  return undefined;
}
