/**
 * Trace context end to end: every request of a flow carries a W3C traceparent (one trace per flow,
 * a span id per request), and `--otlp` exports one span per request with those same ids over
 * OTLP/HTTP to a small receiver on 127.0.0.1 (a stand-in for an OpenTelemetry Collector: it only
 * stores what it is sent). Failure samples in the report point at traces the receiver got.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../src/flow/http.ts';
import { FlowSession } from '../../../src/flow/session.ts';
import { parseTraceparent } from '../../../src/flow/trace-context.ts';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { formatSummary } from '../../../src/report/console.ts';
import { runPlan } from '../../../src/run.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { freePort } from './prometheus-server.ts';

const outDir = join(tmpdir(), `tokenstorm-otlp-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

describe('trace context', () => {
  it('sends one trace id per flow and a new span id per request in traceparent', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = await listen((req, res) => {
      seen.push(req.headers);
      res.setHeader('set-cookie', 'sid=abcdefgh12345678; Path=/');
      res.end('ok');
    });
    const http = new HttpClient({ connections: 2, requestTimeoutMs: 5000, connectTimeoutMs: 5000 });
    try {
      const rec = new Recorder({ now: () => 0 });
      const a = new FlowSession(http, rec);
      const b = new FlowSession(http, rec);
      for (const s of [a, a, b]) await s.send('authorize', { method: 'GET', url: new URL(`${server.url}/authorize?x=1`) });
      const parsed = seen.map((h) => parseTraceparent(String(h['traceparent'])));
      expect(parsed.every((p) => p?.sampled === true)).toBe(true);
      expect(parsed[0]!.traceId).toBe(a.traceId);
      expect(parsed[1]!.traceId).toBe(a.traceId);
      expect(parsed[2]!.traceId).toBe(b.traceId);
      expect(a.traceId).not.toBe(b.traceId);
      expect(new Set(parsed.map((p) => p!.spanId)).size).toBe(3);
      // The session's cookies still travel alongside.
      expect(seen[1]!['cookie']).toBe('sid=abcdefgh12345678');
      expect([a.flowIndex, b.flowIndex]).toEqual([0, 1]);
    } finally {
      await http.close();
      await server.close();
    }
  });

  it('--otlp exports one span per request, with the ids sent, and failure samples point at them', async () => {
    const bodies: string[] = [];
    const receiver = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const secrets = new Set<string>();
    try {
      const plan = validateScenario(
        { name: 'otlp-itest', load: { ratePerSec: 10, duration: '4s' }, faults: [{ at: '1s', for: '2s', idpMode: 'reject-s256' }], slo: { errorRate: 0.02 } },
        null,
      );
      const outcome = await runPlan(plan, { outDir, otlpUrl: `${receiver.url}/v1/traces`, onSecret: (s) => secrets.add(s) });
      const r = outcome.report;
      expect(r.flows.failed).toBeGreaterThan(0);

      const requests = bodies.map((b) => JSON.parse(b) as { resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> });
      const spans = requests.flatMap((q) => q.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
      const resourceAttrs = requests[0]!.resourceSpans[0]!.resource.attributes;
      expect(resourceAttrs.find((a) => a.key === 'service.name')?.value).toEqual({ stringValue: 'tokenstorm' });
      // One span per request: every timed exchange except the whole-flow rows.
      const exchanges = Object.entries(r.endpoints).reduce((n, [e, x]) => (e === 'flow' ? n : n + x!.count), 0);
      expect(spans.length).toBe(exchanges);
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
      for (const s of spans) {
        expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(s.kind).toBe(3); // CLIENT
        expect(BigInt(s.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
        const url = s.attributes.find((a) => a.key === 'url.full')?.value['stringValue'];
        expect(String(url)).not.toContain('?');
      }
      // A flow is one trace: its requests share the trace id.
      const perTrace = new Map<string, number>();
      for (const s of spans) perTrace.set(s.traceId, (perTrace.get(s.traceId) ?? 0) + 1);
      expect(Math.max(...perTrace.values())).toBeGreaterThanOrEqual(5);
      expect(perTrace.size).toBeGreaterThanOrEqual(r.flows.started);
      // The report's failure samples name traces the collector has, with a failed span in each.
      const samples = r.failureSamples ?? [];
      expect(samples.length).toBeGreaterThan(0);
      for (const sample of samples) {
        expect(perTrace.has(sample.traceId), sample.traceId).toBe(true);
      }
      // The samples and the burn rate per phase reach the console summary and report.html.
      const html = await readFile(outcome.files.html, 'utf8');
      expect(html).toContain(samples[0]!.traceId);
      expect(html).toContain('SLO burn rate');
      const summary = formatSummary(r);
      expect(summary).toContain(`trace ${samples[0]!.traceId}`);
      const faultPhase = r.phases.find((p) => p.faults.length > 0)!;
      expect(faultPhase.burnRate).toBeGreaterThan(5);
      expect(summary).toMatch(new RegExp(`burn rate {2}.*${faultPhase.name} [0-9.]+× \\(PAGE\\)`));
      // No secret in what was exported.
      const all = bodies.join('\n');
      expect(secrets.size).toBeGreaterThan(50);
      for (const s of secrets) expect(all.includes(s), `a secret reached the OTLP export: ${all.slice(Math.max(0, all.indexOf(s) - 200), all.indexOf(s) + 50)}`).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('an unreachable collector neither fails nor hangs the run', async () => {
    const port = await freePort(); // nothing listens there
    const plan = validateScenario({ name: 'otlp-down', load: { ratePerSec: 10, duration: '2s' } }, null);
    const outcome = await runPlan(plan, { outDir, otlpUrl: `http://127.0.0.1:${port}/v1/traces` });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.report.flows.completed).toBe(20);
    expect(outcome.report.flows.failed).toBe(0);
  });
});
