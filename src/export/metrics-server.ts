/**
 * The `/metrics` endpoint for Prometheus: a small HTTP server on 127.0.0.1 only (the metrics name
 * the scenario, its faults and failure classes, nothing for other machines). Closing it waits for
 * one last scrape when someone has been scraping, so the final counts of a run reach Prometheus.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { TokenstormError } from '../errors.ts';
import { nodeHttp } from '../lazy-require.ts';
import type { OpenMetricsContentType, Registry, RegistryContentType } from 'prom-client';

const wantsOpenMetrics = (accept: string | undefined): boolean => accept?.includes('application/openmetrics-text') === true;

/** Options for {@link startMetricsServer}. */
export interface MetricsServerOptions {
  registry: Registry;
  /** Served instead when the scraper accepts OpenMetrics (Prometheus does): exemplars included. */
  openMetricsRegistry?: Registry<OpenMetricsContentType>;
  /** 0 = any free port (tests). */
  port: number;
  /**
   * On close, when at least one scrape has happened, wait up to this long for one more so the
   * run's final numbers are collected (default 15 000 ms, Prometheus's usual scrape interval).
   */
  finalScrapeTimeoutMs?: number;
}

/** A running metrics endpoint. */
export interface MetricsServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/metrics` */
  readonly url: string;
  readonly port: number;
  /** Scrapes served so far. */
  readonly scrapes: number;
}

const HOST = '127.0.0.1';

/**
 * Serves `registry` at http://127.0.0.1:PORT/metrics (Prometheus text format).
 *
 * @throws TokenstormError `ERR_ADDRESS_IN_USE` when the port is taken.
 * @example
 * await using server = await startMetricsServer({ registry, port: 9464 });
 * console.log(server.url);
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, openMetricsRegistry } = options;
  const finalScrapeTimeoutMs = options.finalScrapeTimeoutMs ?? 15_000;
  let scrapes = 0;
  let onScrape: (() => void) | null = null;
  let closing = false;
  const server: Server = nodeHttp().createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end('tokenstorm serves GET /metrics only\n');
      return;
    }
    // Only a scrape that began after closing started is sure to carry the final numbers.
    const final = closing;
    const chosen: Registry<RegistryContentType> = openMetricsRegistry && wantsOpenMetrics(req.headers.accept) ? openMetricsRegistry : registry;
    chosen.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': chosen.contentType }).end(text);
        scrapes++;
        if (final) onScrape?.();
      },
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  // A scraper is a client like any other: bounded time per request.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 30_000;
  try {
    server.listen(options.port, HOST);
    await once(server, 'listening');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      throw new TokenstormError('ERR_ADDRESS_IN_USE', `--metrics-port ${options.port}: ${HOST}:${options.port} is already in use`, { cause: err });
    }
    throw new TokenstormError('ERR_USAGE', `--metrics-port ${options.port}: cannot listen (${typeof code === 'string' ? code : 'error'})`, { cause: err });
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${port}/metrics`,
    port,
    get scrapes() {
      return scrapes;
    },
    [Symbol.asyncDispose]() {
      closing = true;
      closed ??= (async () => {
        if (scrapes > 0 && finalScrapeTimeoutMs > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, finalScrapeTimeoutMs);
            onScrape = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}
