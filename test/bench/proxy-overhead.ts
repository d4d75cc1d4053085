/**
 * Latency the embedded fault proxy adds without toxics: sequential GETs over one keep-alive
 * connection, direct vs through a proxy, interleaved in rounds so machine-load drift hits both.
 *
 *   node_modules/.bin/node test/bench/proxy-overhead.ts [requestsPerRound=200] [rounds=10]
 *
 * Prints JSON: mean and p50/p99 per side in ms, and `addedMeanMs` (goal < 0.3).
 */
import { createServer } from 'node:http';
import { Toxiproxy } from 'toxiproxy-node-client';
import { Client } from 'undici';
import { startFaultServer } from '../../src/chaos/fault-server.ts';

const perRound = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 10);

const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const httpPort = (http.address() as { port: number }).port;

const faults = await startFaultServer();
const proxy = await new Toxiproxy(faults.url).createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${httpPort}` });
const direct = new Client(`http://127.0.0.1:${httpPort}`);
const proxied = new Client(`http://${proxy.listen}`);

async function sample(client: Client, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await client.request({ path: '/', method: 'GET' });
    await res.body.text();
    out.push(performance.now() - t0);
  }
}

function stats(xs: number[]): { meanMs: number; p50Ms: number; p99Ms: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { meanMs: round(xs.reduce((a, b) => a + b, 0) / xs.length), p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

await sample(direct, 300, []);
await sample(proxied, 300, []);
const d: number[] = [];
const p: number[] = [];
for (let r = 0; r < rounds; r++) {
  await sample(direct, perRound, d);
  await sample(proxied, perRound, p);
}
const directStats = stats(d);
const proxiedStats = stats(p);
process.stdout.write(
  `${JSON.stringify({
    requests: d.length,
    direct: directStats,
    proxied: proxiedStats,
    addedMeanMs: Math.round((proxiedStats.meanMs - directStats.meanMs) * 1000) / 1000,
    addedP50Ms: Math.round((proxiedStats.p50Ms - directStats.p50Ms) * 1000) / 1000,
  })}\n`,
);

await direct.close();
await proxied.close();
await faults.close();
http.closeAllConnections();
http.close();
