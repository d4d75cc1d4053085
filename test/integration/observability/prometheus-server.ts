/**
 * A real Prometheus server (Debian's `prometheus` package, installed by scripts/ci/prometheus.sh)
 * on 127.0.0.1 with its own config and data in a temp dir, for the live-metrics tests. When it is
 * missing: under CI=true the tests fail saying why; locally they skip with the same message.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const PROMETHEUS = which('prometheus');
export const PROMTOOL = which('promtool');
export const MISSING =
  PROMETHEUS && PROMTOOL
    ? null
    : 'Prometheus is not installed (needs the `prometheus` and `promtool` binaries): run `bash scripts/ci/prometheus.sh` (apt-get install prometheus)';
/** CI must prove this with the real thing: a missing Prometheus fails there instead of skipping. */
export const IN_CI = process.env['CI'] === 'true';

/** A free TCP port on 127.0.0.1 (bound then released: fine for a test, not for production). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A running Prometheus. */
export interface PrometheusServer extends AsyncDisposable {
  url: string;
  /** Instant query; throws on a PromQL error. */
  query(expr: string, timeSec?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Raw API GET (JSON). */
  api(path: string): Promise<{ status: string; data: unknown; error?: string }>;
  logs(): string;
}

/**
 * Starts Prometheus scraping `targets` every second, loading `ruleFiles`.
 */
export async function startPrometheus(targets: string[], ruleFiles: string[]): Promise<PrometheusServer> {
  if (!PROMETHEUS) throw new Error(MISSING!);
  const dir = await mkdtemp(join(tmpdir(), 'tokenstorm-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: 'tokenstorm', static_configs: [{ targets }] }],
  };
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config)); // JSON is YAML
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      // Exemplars: each failure series carries the trace id of a failed flow.
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit').catch(() => undefined);
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready within 60 s (a loaded CI machine), or fail with its log.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
    }
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 60 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const apiEarly = async (path: string): Promise<{ data: unknown }> =>
    (await (await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) })).json()) as { data: unknown };
  // Prometheus hands discovered targets to its scrapers at most every 5 s: wait until the scrape
  // loops exist, so the run's first seconds are scraped too.
  for (;;) {
    const body = await apiEarly('/api/v1/targets').catch(() => ({ data: { activeTargets: [] } }));
    if ((body.data as { activeTargets: unknown[] }).activeTargets.length >= targets.length) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus has no active targets after 60 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (path: string): Promise<{ status: string; data: unknown; error?: string }> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    return (await res.json()) as { status: string; data: unknown; error?: string };
  };
  return {
    url,
    api,
    async query(expr, timeSec) {
      const q = new URLSearchParams({ query: expr, ...(timeSec !== undefined ? { time: String(timeSec) } : {}) });
      const body = await api(`/api/v1/query?${q}`);
      if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${body.error ?? body.status}`);
      return (body.data as { result: Array<{ metric: Record<string, string>; value: [number, string] }> }).result;
    },
    logs: () => log,
    [Symbol.asyncDispose]: stop,
  };
}
