/**
 * Where the fault server's API may listen, checked by both the harness (to fail fast with the
 * right error) and the fault child (which binds). Kept apart from ./fault-server-inline.ts so the
 * harness never loads the server and its proxies.
 */
import { TokenstormError } from '../errors.ts';
import { isLoopbackHost } from './toxiproxy/address.ts';

/** Where the API listens. Defaults: 127.0.0.1, port 0 (any free port). */
export interface FaultServerOptions {
  host?: string;
  port?: number;
  /**
   * Data-plane replica threads serving the same proxies (SO_REUSEPORT) beside the primary.
   * Default: one per core, at most 3; 0 serves everything on one thread.
   */
  replicas?: number;
}

/**
 * Checks where the API may listen (both the parent and the child check: the parent to fail fast
 * with the right error, the child because it is the one that binds).
 *
 * @throws TokenstormError `ERR_NOT_LOOPBACK` or `ERR_USAGE`.
 * @example
 * const { host, port } = checkFaultServerOptions({ port: 8474 });
 */
export function checkFaultServerOptions(opts: FaultServerOptions): { host: string; port: number } {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  if (!isLoopbackHost(host)) {
    throw new TokenstormError('ERR_NOT_LOOPBACK', `fault server host must be loopback, got ${JSON.stringify(host)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TokenstormError('ERR_USAGE', `fault server port must be an integer in 0..65535, got ${port}`);
  }
  return { host, port };
}
