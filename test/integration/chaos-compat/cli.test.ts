/**
 * `tokenstorm proxy` as a process: prints the URL, serves the API, stops on SIGTERM/SIGINT, and
 * fails in one line with exit 2 on a bad port, a taken port or a non-loopback host.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
// The built binary (npm test builds dist/ before running the tests).
const CLI = fileURLToPath(new URL('../../../bin/tokenstorm.js', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(NODE, [CLI, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tokenstorm proxy', () => {
  it('prints the URL, serves the API and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const r = run(['--port', '0']);
      await waitFor(() => r.stdout().includes('\n'), 10_000);
      const url = r.stdout().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'p', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }) });
      expect(res.status).toBe(201);
      r.child.kill(signal);
      expect(await r.exit).toBe(0);
    }
  });

  it('rejects a bad --port with one line and exit 2', async () => {
    const r = run(['--port', '80a']);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toBe("tokenstorm: --port must be an integer in 0..65535 (got '80a') (see --help)\n");
  });

  it('rejects a non-loopback --host with exit 2', async () => {
    const r = run(['--host', '0.0.0.0', '--port', '0']);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/^tokenstorm: fault server host must be loopback, got "0\.0\.0\.0" \(.*\)\n$/);
  });

  it('says clearly when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = run(['--port', String(port)]);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toBe(
      `tokenstorm: cannot start the fault server: 127.0.0.1:${port} is already in use (choose another port (--port) or stop the process using it)\n`,
    );
    blocker.close();
  });
});
