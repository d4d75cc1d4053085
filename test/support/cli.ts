/**
 * Running the built binary (npm test builds dist/ first) or any command from a test: real
 * processes, stdout and stderr captured whole, killed if it outlives its time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The pinned Node (the `node` devDependency). */
export const NODE = join(ROOT, 'node_modules/.bin/node');
/** bin/tokenstorm.js, as users start it. */
export const BIN = join(ROOT, 'bin/tokenstorm.js');

/** What a finished process printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCommand} and {@link runBin}. */
export interface RunCommandOptions {
  cwd: string;
  /** The environment (default: this process's); FORCE_COLOR=0 is always added. */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long (default 60 s). */
  timeoutMs?: number;
  /** Called with the child once it is spawned (to signal it, watch its pid, …). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `command args` to its end. */
export function runCommand(command: string, args: string[], opts: RunCommandOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...(opts.env ?? process.env), FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}

/** Runs `tokenstorm args` (the pinned Node, bin/tokenstorm.js) to its end. */
export function runBin(args: string[], opts: RunCommandOptions): Promise<CliResult> {
  return runCommand(NODE, [BIN, ...args], opts);
}
