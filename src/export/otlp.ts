/**
 * `--otlp URL`: one client span per request of every flow, exported in batches over OTLP/HTTP
 * (JSON encoding) by the OpenTelemetry JS SDK. The spans carry the same trace and span ids as the `traceparent` each request sent, so the IdP's
 * server spans nest under them in any tracing backend.
 */
import { performance } from 'node:perf_hooks';
import { context, type Context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type IdGenerator, TracerProvider } from '@opentelemetry/sdk-trace';
import { assertLoopbackUrl } from '../loopback.ts';
import type { RecorderListener, RequestSpan } from '../metrics/recorder-listener.ts';
import { IGNORE_ALL } from '../metrics/recorder-listener.ts';

/** Options for {@link startOtlpExporter}. */
export interface OtlpOptions {
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces (loopback only: run a local collector). */
  url: string;
  /** `service.name` of the spans. Default 'tokenstorm'. */
  serviceName?: string;
  /** Extra resource attributes (scenario name, run id). */
  attributes?: Record<string, string>;
  /** Batch export delay, ms (default 1000). */
  scheduledDelayMs?: number;
}

/** A running span exporter. */
export interface OtlpExporter extends AsyncDisposable {
  /** Feed it from the recorder (only `request` is used). */
  readonly listener: RecorderListener;
}

/**
 * The SDK makes its own ids; ours must be the ones already sent in `traceparent`. Spans are started
 * synchronously right after `next` is set, so a single slot is enough.
 */
class GivenIds implements IdGenerator {
  next: { traceId: string; spanId: string } = { traceId: '', spanId: '' };
  generateTraceId(): string {
    return this.next.traceId;
  }
  generateSpanId(): string {
    return this.next.spanId;
  }
}

/**
 * Starts the exporter. Disposing flushes what is queued (bounded by the exporter's timeout) and
 * shuts the SDK down.
 *
 * @example
 * await using otlp = startOtlpExporter({ url: 'http://127.0.0.1:4318/v1/traces' });
 * recorder.listen(otlp.listener);
 */
export function startOtlpExporter(options: OtlpOptions): OtlpExporter {
  assertLoopbackUrl(options.url, '--otlp');
  const ids = new GivenIds();
  const provider = new TracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'tokenstorm', ...options.attributes }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: options.url, timeoutMillis: 5_000 }),
        scheduledDelayMillis: options.scheduledDelayMs ?? 1_000,
        maxQueueSize: 8_192,
        maxExportBatchSize: 512,
        exportTimeoutMillis: 5_000,
      }),
    ],
  });
  const tracer = provider.getTracer('tokenstorm');
  // Request spans are roots of the flow's trace (the flow itself is not a span): no parent context.
  const root: Context = trace.deleteSpan(context.active());
  const origin = performance.timeOrigin;

  const request = (r: RequestSpan): void => {
    ids.next = { traceId: r.traceId, spanId: r.spanId };
    const failed = r.status === 0 || r.status >= 400;
    const span = tracer.startSpan(
      `${r.method} ${r.endpoint}`,
      {
        kind: SpanKind.CLIENT,
        startTime: origin + r.startMs,
        attributes: {
          'http.request.method': r.method,
          'url.full': r.target,
          'tokenstorm.endpoint': r.endpoint,
          ...(r.status > 0 ? { 'http.response.status_code': r.status } : {}),
          ...(r.socketCode ? { 'error.type': r.socketCode } : failed ? { 'error.type': String(r.status) } : {}),
        },
      },
      root,
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(origin + r.startMs + r.serviceUs / 1000);
  };

  let closed: Promise<void> | null = null;
  return {
    listener: { ...IGNORE_ALL, request },
    [Symbol.asyncDispose]() {
      closed ??= provider.shutdown().catch(() => undefined);
      return closed;
    },
  };
}
