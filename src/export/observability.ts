/**
 * The one entry point a run uses for live observability: the Prometheus endpoint (`--metrics-port`)
 * and OTLP spans (`--otlp`), both fed by the recorder through one listener. With neither asked
 * for, nothing starts and `listener` is null (the recorder keeps its null listener).
 */
import { fanOut, type RecorderListener } from '../metrics/recorder-listener.ts';
import type { RunInfo } from './prometheus-metrics.ts';

// prom-client and OpenTelemetry cost ~30 MB of resident memory once loaded (measured with
// `process.memoryUsage().rss` around their import): loaded only when a run asks for them.

/** Options for {@link startObservability}. */
export interface ObservabilityOptions {
  /** Serve /metrics on 127.0.0.1:metricsPort (0 = any free port). */
  metricsPort?: number | null;
  /** OTLP/HTTP traces URL (loopback). */
  otlpUrl?: string | null;
  /** Labels and SLO gauges. */
  info: RunInfo & { runId?: string };
  /** See {@link MetricsServerOptions.finalScrapeTimeoutMs}. */
  finalScrapeTimeoutMs?: number;
}

/** What is running; dispose after `recorder.finish()` so the final numbers are scraped/flushed. */
export interface Observability extends AsyncDisposable {
  /** Attach to the measured recorder (`recorder.listen(obs.listener)`); null when nothing was asked for. */
  readonly listener: RecorderListener | null;
  /** The /metrics URL when serving metrics. */
  readonly metricsUrl: string | null;
}

/**
 * Starts what the options ask for (binding the metrics port first, so a taken port fails before
 * any load). Attach `listener` to the measured recorder; dispose after `recorder.finish()`.
 *
 * @throws TokenstormError `ERR_ADDRESS_IN_USE` (port taken), `ERR_NOT_LOOPBACK` (--otlp elsewhere)
 * @example
 * await using obs = await startObservability({ metricsPort: 9464, info: { scenario: 'smoke', mode: 'flow', model: 'open' } });
 * recorder.listen(obs.listener);
 * // … run … recorder.finish(); (obs is disposed at the end of the scope: one last scrape, spans flushed)
 */
export async function startObservability(options: ObservabilityOptions): Promise<Observability> {
  // Closed in reverse order of start. (No AsyncDisposableStack: engines allow Node 22, which lacks it.)
  const owned: Array<() => unknown> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of owned.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  const listeners: RecorderListener[] = [];
  let metricsUrl: string | null = null;
  try {
    if (options.metricsPort !== undefined && options.metricsPort !== null) {
      const [{ createTokenstormMetrics }, { startMetricsServer }] = await Promise.all([import('./prometheus-metrics.ts'), import('./metrics-server.ts')]);
      const metrics = createTokenstormMetrics(options.info);
      owned.push(() => metrics.close());
      const server = await startMetricsServer({
        registry: metrics.registry,
        openMetricsRegistry: metrics.openMetricsRegistry,
        port: options.metricsPort,
        ...(options.finalScrapeTimeoutMs !== undefined ? { finalScrapeTimeoutMs: options.finalScrapeTimeoutMs } : {}),
      });
      owned.push(() => server[Symbol.asyncDispose]());
      metricsUrl = server.url;
      listeners.push(metrics.listener);
    }
    if (options.otlpUrl) {
      const { startOtlpExporter } = await import('./otlp.ts');
      const otlp = startOtlpExporter({
        url: options.otlpUrl,
        attributes: { 'tokenstorm.scenario': options.info.scenario, ...(options.info.runId ? { 'tokenstorm.run_id': options.info.runId } : {}) },
      });
      owned.push(() => otlp[Symbol.asyncDispose]());
      listeners.push(otlp.listener);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    listener: listeners.length > 0 ? fanOut(listeners) : null,
    metricsUrl,
    async [Symbol.asyncDispose]() {
      await closeAll();
    },
  };
}
