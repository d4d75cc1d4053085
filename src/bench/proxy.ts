/**
 * Proxy throughput and added latency, direct vs the embedded fault proxy vs a real Toxiproxy 2.12,
 * in the same run against the same fixed-response HTTP server (its own process):
 * - closed model (autocannon) at 64 and 256 connections: requests/s and p99;
 * - open model at a fixed offered rate (default 2,000 req/s): p99 measured from each request's
 *   intended send time (no coordinated omission), so a proxy that falls behind shows it;
 * - sequential keep-alive requests: mean added per request (Toxiproxy's own bound is < 0.3 ms).
 * Goals (issue 15): at 256 connections the embedded proxy delivers at least real Toxiproxy's
 * requests/s with no worse p99; at 2,000 req/s it adds < 2 ms to p99.
 */
import autocannon from 'autocannon';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Client, Pool } from 'undici';
import { startFaultServer } from '../chaos/fault-server.ts';
import { startFixedServer } from './fixed-server.ts';
import { type RealToxiproxy, startRealToxiproxy } from './real-toxiproxy.ts';

/** Which path a measurement went through. */
export type ProxyPath = 'direct' | 'embedded' | 'real';

/** One closed-model run. */
export interface ClosedRun {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** One open-model run. */
export interface OpenRun {
  offeredPerSec: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Result of {@link benchProxy}. */
export interface ProxyBenchResult {
  seconds: number;
  rounds: number;
  /** Why the real Toxiproxy is missing from the result, when it is. */
  realSkipped: string | null;
  closed: Record<string, Partial<Record<ProxyPath, ClosedRun>>>;
  open: Partial<Record<ProxyPath, OpenRun>>;
  /** p99 through the proxy − direct p99, per proxy: closed model per connection count, then open. */
  addedP99Ms: Record<string, Partial<Record<'embedded' | 'real', number>>>;
  /** Mean added per sequential keep-alive request (goal < 0.3 ms). */
  sequentialAddedMeanMs: Partial<Record<'embedded' | 'real', number>>;
  goals: {
    /** Embedded ≥ real requests/s at 256 connections (null without a real Toxiproxy). */
    embeddedRpsAtLeastReal256: boolean | null;
    /** Embedded p99 ≤ real p99 at 256 connections. */
    embeddedP99NoWorseThanReal256: boolean | null;
    /** Embedded adds < 2 ms p99 at the offered open-model rate. */
    embeddedOpenAddedP99Under2Ms: boolean;
    /** Embedded adds < 0.3 ms mean per sequential keep-alive request. */
    embeddedSequentialUnder0_3Ms: boolean;
  };
}

/** Options of {@link benchProxy}. */
export interface ProxyBenchOptions {
  /** Measured seconds per path and setting, split over `rounds` (default 6). */
  seconds?: number;
  /** Rounds per setting; the median round is reported (default 3). */
  rounds?: number;
  /** Closed-model connection counts (default 64 and 256). */
  connections?: number[];
  /** Open-model offered rate (default 2000). */
  ratePerSec?: number;
  /** Use this Toxiproxy instead of starting the installed one; `null`: embedded and direct only. */
  toxiproxyUrl?: string | null;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function closedRun(port: number, connections: number, seconds: number): Promise<ClosedRun> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/token`, connections, duration: seconds });
  return { reqPerSec: round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors + r.non2xx };
}

/**
 * Open model: request i is due at t0 + i / rate whatever happened to earlier ones; its latency runs
 * from that due time to the last byte. Bounded: rate × seconds requests, 10 s deadline each.
 */
async function openRun(port: number, ratePerSec: number, seconds: number): Promise<OpenRun> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 256, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const total = Math.round(ratePerSec * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const one = async (dueMs: number): Promise<void> => {
    try {
      const res = await pool.request({ path: '/token', method: 'GET' });
      await res.body.text();
      if (res.statusCode === 200) latencies.push(performance.now() - dueMs);
      else errors += 1;
    } catch {
      errors += 1;
    }
  };
  const t0 = performance.now() + 50;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const nowMs = performance.now();
      const dueCount = Math.min(total, Math.floor(((nowMs - t0) * ratePerSec) / 1000) + 1);
      while (sent < dueCount) {
        const p = one(t0 + (sent * 1000) / ratePerSec);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        sent += 1;
      }
      if (sent >= total) resolve();
      // setImmediate would spin a core; a 1 ms timer sends the (few) due requests per wake-up, each
      // timed from its own due time.
      else setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  await Promise.all(inFlight);
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { offeredPerSec: ratePerSec, completed: latencies.length, errors, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
}

async function sequentialMeanMs(port: number, n: number): Promise<number> {
  const client = new Client(`http://127.0.0.1:${port}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  let totalMs = 0;
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await client.request({ path: '/token', method: 'GET' });
      await res.body.text();
      totalMs += performance.now() - t0;
    }
  } finally {
    await client.close();
  }
  return totalMs / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median requests/s and median p50/p99 over rounds; errors summed. */
function medianRun(runs: ClosedRun[]): ClosedRun {
  return {
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}

/**
 * Runs the proxy benchmark: about (2 connection counts + 1 open run) × 3 paths × (`seconds` + 1 s
 * warm-up), plus a few seconds of sequential requests.
 *
 * @example
 * const r = await benchProxy({ seconds: 5 });
 * r.closed['256']?.embedded?.reqPerSec; r.addedP99Ms['open2000']?.embedded; r.goals;
 */
export async function benchProxy(opts: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const seconds = opts.seconds ?? 6;
  const connectionCounts = opts.connections ?? [64, 256];
  const ratePerSec = opts.ratePerSec ?? 2000;
  const fixed = await startFixedServer();
  const embedded = await startFaultServer();
  let real: RealToxiproxy | null = null;
  let realUrl: string | null = opts.toxiproxyUrl ?? null;
  let realSkipped: string | null = null;
  try {
    if (opts.toxiproxyUrl === undefined) {
      try {
        real = await startRealToxiproxy();
        realUrl = real.url;
      } catch (err) {
        realSkipped = (err as Error).message;
      }
    } else if (opts.toxiproxyUrl === null) {
      realSkipped = 'not requested';
    }
    const upstream = `127.0.0.1:${fixed.port}`;
    const ports: Partial<Record<ProxyPath, number>> = { direct: fixed.port };
    const portOf = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));
    const name = `tokenstorm-bench-${process.pid}`;
    ports.embedded = portOf((await new Toxiproxy(embedded.url).createProxy({ name, listen: '127.0.0.1:0', upstream })).listen);
    const realClient = realUrl ? new Toxiproxy(realUrl) : null;
    if (realClient) ports.real = portOf((await realClient.createProxy({ name, listen: '127.0.0.1:0', upstream })).listen);
    const paths = (Object.keys(ports) as ProxyPath[]).filter((p) => ports[p] !== undefined);

    // The machine is shared: each setting is measured in `rounds` rounds, the paths in rotating
    // order inside each, and the median round per path is reported, so drift in load hits all alike.
    const rounds = Math.max(1, opts.rounds ?? 3);
    const roundSeconds = Math.max(1, seconds / rounds);
    const order = (r: number): ProxyPath[] => paths.map((_, i) => paths[(i + r) % paths.length]!);
    const closed: ProxyBenchResult['closed'] = {};
    for (const connections of connectionCounts) {
      const runs: Record<ProxyPath, ClosedRun[]> = { direct: [], embedded: [], real: [] };
      for (const path of paths) await closedRun(ports[path]!, connections, 1); // warm-up: JIT, connections
      for (let r = 0; r < rounds; r++) {
        for (const path of order(r)) runs[path].push(await closedRun(ports[path]!, connections, roundSeconds));
      }
      const row: Partial<Record<ProxyPath, ClosedRun>> = {};
      for (const path of paths) row[path] = medianRun(runs[path]);
      closed[String(connections)] = row;
    }
    const open: ProxyBenchResult['open'] = {};
    const openRuns: Record<ProxyPath, OpenRun[]> = { direct: [], embedded: [], real: [] };
    for (const path of paths) await openRun(ports[path]!, ratePerSec, 1);
    for (let r = 0; r < rounds; r++) {
      for (const path of order(r)) openRuns[path].push(await openRun(ports[path]!, ratePerSec, roundSeconds));
    }
    for (const path of paths) {
      const runs = openRuns[path];
      open[path] = {
        offeredPerSec: ratePerSec,
        completed: runs.reduce((a, x) => a + x.completed, 0),
        errors: runs.reduce((a, x) => a + x.errors, 0),
        p50Ms: median(runs.map((x) => x.p50Ms)),
        p99Ms: median(runs.map((x) => x.p99Ms)),
      };
    }
    // Sequential keep-alive requests, interleaved in rounds so drift in machine load hits all alike.
    const sequential: Record<ProxyPath, number[]> = { direct: [], embedded: [], real: [] };
    for (const path of paths) await sequentialMeanMs(ports[path]!, 200);
    for (let i = 0; i < 10; i++) for (const path of paths) sequential[path].push(await sequentialMeanMs(ports[path]!, 100));

    const openKey = `open${ratePerSec}`;
    const addedP99Ms: ProxyBenchResult['addedP99Ms'] = Object.fromEntries([...Object.keys(closed), openKey].map((k) => [k, {}]));
    const sequentialAddedMeanMs: ProxyBenchResult['sequentialAddedMeanMs'] = {};
    for (const proxy of ['embedded', 'real'] as const) {
      if (ports[proxy] === undefined) continue;
      for (const [key, row] of Object.entries(closed)) {
        addedP99Ms[key]![proxy] = round(row[proxy]!.p99Ms - row.direct!.p99Ms);
      }
      addedP99Ms[openKey]![proxy] = round(open[proxy]!.p99Ms - open.direct!.p99Ms);
      sequentialAddedMeanMs[proxy] = round(median(sequential[proxy]) - median(sequential.direct));
    }
    const at256 = closed['256'];
    const hasReal = at256?.real !== undefined && at256.embedded !== undefined;
    return {
      seconds,
      rounds,
      realSkipped,
      closed,
      open,
      addedP99Ms,
      sequentialAddedMeanMs,
      goals: {
        embeddedRpsAtLeastReal256: hasReal ? at256.embedded!.reqPerSec >= at256.real!.reqPerSec : null,
        embeddedP99NoWorseThanReal256: hasReal ? at256.embedded!.p99Ms <= at256.real!.p99Ms : null,
        embeddedOpenAddedP99Under2Ms: (addedP99Ms[`open${ratePerSec}`]?.embedded ?? Number.POSITIVE_INFINITY) < 2,
        embeddedSequentialUnder0_3Ms: (sequentialAddedMeanMs.embedded ?? Number.POSITIVE_INFINITY) < 0.3,
      },
    };
  } finally {
    if (realUrl && !real) await fetch(`${realUrl}/proxies/tokenstorm-bench-${process.pid}`, { method: 'DELETE' }).catch(() => undefined);
    await real?.stop();
    await embedded.close();
    fixed.child.kill();
  }
}
