/**
 * STAND-IN for real k6 output. k6 cannot be installed on this machine (its Go module is AGPL,
 * refused by policy), so these files are written in k6's documented `--out json` format (one JSON
 * object per line: `{"type":"Metric","data":{"type","contains","tainted","thresholds","submetrics"},
 * "metric"}` declarations and `{"type":"Point","data":{"time","value","tags"},"metric"}` samples,
 * time as RFC 3339 with nanoseconds, values in ms) with the metrics and tags the exported script
 * emits. What they cannot prove: that real k6 writes exactly these metrics from the exported script.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

export interface StandinFlow {
  /** ms from the runner's start */
  atMs: number;
  /** per endpoint class, the exchange time in ms (only classes the flow reached) */
  exchanges: Array<{ cls: 'authorize' | 'login' | 'consent' | 'callback' | 'token'; ms: number; ok: boolean; failureClass?: string }>;
  flowMs: number;
  failureClass?: string;
}

const metricLine = (metric: string, type: string, contains: string): string =>
  JSON.stringify({ type: 'Metric', data: { type, contains, tainted: null, thresholds: [], submetrics: null }, metric });

function rfc3339Nanos(ms: number): string {
  // k6 writes nanoseconds and a zone offset, e.g. 2017-05-09T14:34:45.625742514+02:00.
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}742514+00:00`;
}

const point = (metric: string, ms: number, value: number, tags: Record<string, string>): string =>
  JSON.stringify({ type: 'Point', data: { time: rfc3339Nanos(ms), value, tags }, metric });

/** Writes one runner's k6 JSON output; `.gz` names are gzip-compressed as k6 does. */
export async function writeStandin(path: string, startMs: number, flows: StandinFlow[], droppedAt: number[] = [], instance = '0'): Promise<void> {
  const lines: string[] = [metricLine('vus', 'gauge', 'default'), metricLine('http_req_duration', 'trend', 'time'), metricLine('dropped_iterations', 'counter', 'default')];
  for (const c of ['authorize', 'login', 'consent', 'callback', 'token', 'flow']) lines.push(metricLine(`tokenstorm_${c}`, 'trend', 'time'));
  const base = { scenario: 'smoke', instance_id: instance };
  for (const f of flows) {
    let t = startMs + f.atMs;
    for (const e of f.exchanges) {
      lines.push(point('http_req_duration', t, e.ms, { ...base, name: e.cls, method: 'GET', status: e.ok ? '200' : '400', expected_response: String(e.ok) }));
      lines.push(point(`tokenstorm_${e.cls}`, t, e.ms, { ...base, endpoint: e.cls, ok: String(e.ok), ...(e.failureClass ? { failure_class: e.failureClass } : {}) }));
      t += e.ms;
    }
    lines.push(point('tokenstorm_flow', t, f.flowMs, { ...base, endpoint: 'flow', ok: String(!f.failureClass), ...(f.failureClass ? { failure_class: f.failureClass } : {}) }));
    lines.push(point('iterations', t, 1, base));
  }
  for (const d of droppedAt) lines.push(point('dropped_iterations', startMs + d, 1, base));
  lines.push(point('vus', startMs, 3, base));
  const text = `${lines.join('\n')}\n`;
  await writeFile(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

/** A deterministic pseudo-random source (tests must be repeatable). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` flows over `spanMs`; every 10th fails at the token endpoint with `pkce_mismatch`, every 25th is rate limited. */
export function makeFlows(n: number, spanMs: number, seed: number): StandinFlow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const tokenMs = 2 + r() * 40 + (r() < 0.05 ? 200 : 0);
    const fail = i % 25 === 24 ? 'rate_limited' : i % 10 === 9 ? 'pkce_mismatch' : undefined;
    const ex: StandinFlow['exchanges'] = [
      { cls: 'authorize', ms: 1 + r() * 5, ok: true },
      { cls: 'login', ms: 1 + r() * 8, ok: true },
      { cls: 'consent', ms: 1 + r() * 4, ok: true },
      { cls: 'callback', ms: 1 + r() * 3, ok: true },
      { cls: 'token', ms: tokenMs, ok: !fail, ...(fail ? { failureClass: fail } : {}) },
    ];
    return { atMs: Math.floor((i * spanMs) / n), exchanges: ex, flowMs: ex.reduce((s, e) => s + e.ms, 0), ...(fail ? { failureClass: fail } : {}) };
  });
}
