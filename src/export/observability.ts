/**
 * The one entry point a run uses for live observability: the Prometheus endpoint (`--metrics-port`)
 * and OTLP spans (`--otlp`), both fed by the recorder through one listener. With neither asked
 * for, nothing starts and the recorder keeps its null listener.
 */
import type { Recorder } from '../metrics/recorder.ts';
import { fanOut, type RecorderListener } from '../metrics/recorder-listener.ts';
import { startMetricsServer } from './metrics-server.ts';
import { startOtlpExporter } from './otlp.ts';
import { createTokenstormMetrics, type RunInfo } from './prometheus-metrics.ts';

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
  /** The /metrics URL when serving metrics. */
  readonly metricsUrl: string | null;
}

/**
 * Starts what the options ask for and attaches it to `recorder`.
 *
 * @example
 * const obs = await startObservability(recorder, { metricsPort: 9464, info: { scenario: 'smoke', mode: 'flow', model: 'open' } });
 * // … run …
 * recorder.finish();
 * await obs[Symbol.asyncDispose]();
 */
export async function startObservability(recorder: Recorder, options: ObservabilityOptions): Promise<Observability> {
  // Closed in reverse order of start. (No AsyncDisposableStack: engines allow Node 22, which lacks it.)
  const owned: Array<() => unknown> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of owned.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  const listeners: RecorderListener[] = [];
  let metricsUrl: string | null = null;
  try {
    if (options.metricsPort !== undefined && options.metricsPort !== null) {
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
  if (listeners.length > 0) recorder.listen(fanOut(listeners));
  return {
    metricsUrl,
    async [Symbol.asyncDispose]() {
      recorder.listen(null);
      await closeAll();
    },
  };
}
