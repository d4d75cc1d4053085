/**
 * Fault-layer accuracy: what the embedded proxy adds per request with no toxics (Toxiproxy's own
 * bound is < 0.3 ms mean), and how exactly a 50 ms latency toxic shows up in the harness's
 * measurement (goal: p50 delta 50 ms ± 1). Sequential keep-alive requests to a fixed-response
 * server, measured by the harness's own HTTP layer.
 */
import { Toxiproxy } from 'toxiproxy-node-client';
import { startFaultServer } from '../chaos/fault-server.ts';
import { HttpClient, type RouteTarget } from '../flow/http.ts';
import { startFixedServer } from './fixed-server.ts';

/** Result of {@link benchFaults}. */
export interface FaultBenchResult {
  requests: number;
  directMeanMs: number;
  proxiedMeanMs: number;
  /** proxied − direct mean (goal < 0.3 ms). */
  proxyOverheadMeanMs: number;
  latencyToxicMs: number;
  /** p50 with the toxic − p50 through the proxy without it (goal latencyToxicMs ± 1). */
  latencyToxicP50DeltaMs: number;
}

async function sequential(url: URL, route: RouteTarget | undefined, n: number): Promise<number[]> {
  const http = new HttpClient({ connections: 1, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000, ...(route ? { routes: { token: route } } : {}) });
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: 'fixed' });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const out = await http.send('token', { method: 'POST', url, form });
      if (!out.ok || out.res.status !== 200) throw new Error(`fixed server request failed: ${out.ok ? out.res.status : out.failure.socketCode}`);
      times.push(out.res.serviceUs / 1000);
    }
  } finally {
    await http.close();
  }
  return times;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Runs the fault-layer benchmark (a few seconds).
 *
 * @example
 * const r = await benchFaults(); r.proxyOverheadMeanMs; r.latencyToxicP50DeltaMs;
 */
export async function benchFaults(opts: { requests?: number; latencyMs?: number } = {}): Promise<FaultBenchResult> {
  const n = opts.requests ?? 2000;
  const latencyMs = opts.latencyMs ?? 50;
  const { child, port } = await startFixedServer();
  const faults = await startFaultServer();
  try {
    const client = new Toxiproxy(faults.url);
    const proxy = await client.createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` });
    const listenPort = Number(proxy.listen.split(':').pop());
    const route = { host: '127.0.0.1', port: listenPort };
    const url = new URL(`http://127.0.0.1:${port}/token`);
    // Warm up both paths, then alternate halves so drift hits both alike.
    await sequential(url, undefined, 200);
    await sequential(url, route, 200);
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < 4; i++) {
      direct.push(...(await sequential(url, undefined, n / 4)));
      proxied.push(...(await sequential(url, route, n / 4)));
    }
    const toxic = await proxy.addToxic({ name: 'lat', type: 'latency' as never, stream: 'downstream', toxicity: 1, attributes: { latency: latencyMs, jitter: 0 } as never });
    const withToxic = await sequential(url, route, 100);
    await toxic.remove();
    return {
      requests: n,
      directMeanMs: round(mean(direct)),
      proxiedMeanMs: round(mean(proxied)),
      proxyOverheadMeanMs: round(mean(proxied) - mean(direct)),
      latencyToxicMs: latencyMs,
      latencyToxicP50DeltaMs: round(median(withToxic) - median(proxied)),
    };
  } finally {
    await faults.close();
    child.kill();
  }
}
