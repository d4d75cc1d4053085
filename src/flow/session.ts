/**
 * One flow's browser-like session: a cookie jar of its own (never shared between concurrent flows),
 * cookies attached and stored on every exchange, each exchange timed and, when it fails at the
 * transport level, recorded with its failure class. Every request carries a W3C `traceparent`:
 * the flow's trace id and a new span id, so failures can be followed into the IdP's traces.
 */
import { performance } from 'node:perf_hooks';
import type { Recorder } from '../metrics/recorder.ts';
import type { EndpointClass, FailureEvidence } from '../report/schema.ts';
import { transportEvidence } from './classify.ts';
import { FlowCookies } from './cookies.ts';
import { type HttpClient, type HttpRequest, type HttpResponse, headerValues } from './http.ts';
import { newSpanId, newTraceId, spanUrl, traceparent } from './trace-context.ts';

const BACK_CHANNEL: ReadonlySet<EndpointClass> = new Set<EndpointClass>(['token', 'refresh']);

/**
 * A flow's HTTP session.
 *
 * @example
 * const s = new FlowSession(http, recorder);
 * const res = await s.send('authorize', { method: 'GET', url });
 */
export class FlowSession {
  private readonly jar = new FlowCookies();
  /** Sum of service time of this flow's exchanges, µs. */
  serviceUs = 0;
  /** This flow's W3C trace id (every request's `traceparent` carries it). */
  readonly traceId = newTraceId();
  /** This flow's number in the run (failure samples name it). */
  readonly flowIndex: number;

  private readonly http: HttpClient;
  private readonly recorder: Recorder;
  private readonly onSecret: ((value: string) => void) | undefined;
  /** Every secret this flow handled; scrubbed from any evidence it records. */
  private readonly secrets: string[] = [];

  /**
   * @param onSecret test hook receiving every secret (so tests can scan outputs for them)
   * @param staticSecrets secrets of the target every flow uses (login password, client secret)
   */
  constructor(http: HttpClient, recorder: Recorder, onSecret?: (value: string) => void, staticSecrets: readonly string[] = []) {
    this.http = http;
    this.recorder = recorder;
    this.onSecret = onSecret;
    this.flowIndex = recorder.nextFlowIndex();
    for (const s of staticSecrets) if (s) this.secrets.push(s);
  }

  /** Registers a secret this flow handles (verifier, code, token): it is scrubbed from everything this flow records. */
  secret(value: string): void {
    this.secrets.push(value);
    this.onSecret?.(value);
  }

  /** Registers a secret for scrubbing only (already reported to the test hook, or a static one like the password). */
  scrub(value: string): void {
    if (value) this.secrets.push(value);
  }

  /**
   * Sends with this session's cookies; stores the response's cookies. Transport failures are
   * recorded (exchange + failure class) and return null; HTTP responses are returned for the caller
   * to judge and record with {@link FlowSession.record}.
   */
  async send(endpoint: EndpointClass, req: HttpRequest): Promise<HttpResponse | null> {
    // A new span id per request, in the flow's trace; the header object is new so req stays untouched.
    const spanId = newSpanId();
    const headers: Record<string, string> = { ...req.headers, traceparent: traceparent(this.traceId, spanId) };
    // Token and refresh requests are the client's back channel, which never carries the browser's cookies.
    if (!BACK_CHANNEL.has(endpoint)) {
      const cookie = this.jar.header(req.url);
      if (cookie) headers.cookie = cookie;
    }
    const startMs = performance.now();
    const out = await this.http.send(endpoint, { ...req, headers });
    if (this.recorder.listening) {
      this.recorder.request({
        endpoint,
        method: req.method,
        target: spanUrl(req.url),
        traceId: this.traceId,
        spanId,
        startMs,
        serviceUs: out.ok ? out.res.serviceUs : out.failure.serviceUs,
        status: out.ok ? out.res.status : 0,
        ...(out.ok ? {} : { socketCode: out.failure.socketCode }),
      });
    }
    if (!out.ok) {
      this.serviceUs += out.failure.serviceUs;
      this.recorder.exchange(endpoint, out.failure.serviceUs, out.failure.serviceUs, false);
      this.recorder.failure(transportEvidence(endpoint, out.failure), this, this.secrets);
      return null;
    }
    this.serviceUs += out.res.serviceUs;
    for (const c of headerValues(out.res.headers, 'set-cookie')) {
      // A cookie the jar refuses (a Domain the host is not in) would be refused by a browser too.
      const stored = this.jar.store(c, req.url);
      if (stored) {
        this.scrub(stored.value);
        // Short values (flags like "1") would match unrelated output in tests' scans.
        if (this.onSecret && stored.value.length >= 8) this.onSecret(stored.value);
      }
    }
    return out.res;
  }

  /** The cookies this session would send to `url` (names and values; for login scripts, never for output). */
  cookies(url: URL): Array<{ name: string; value: string }> {
    return this.jar.matching(url).map((c) => ({ name: c.key, value: c.value }));
  }

  /** Records a classified failure of this flow (with its trace id, for the failure samples). */
  recordFailure(evidence: FailureEvidence): void {
    this.recorder.failure(evidence, this, this.secrets);
  }

  /** Records a judged exchange; latency = service time (steps inside a flow are not scheduled). */
  record(endpoint: EndpointClass, res: HttpResponse, ok: boolean): void {
    this.recorder.exchange(endpoint, res.serviceUs, res.serviceUs, ok);
  }
}
