/**
 * The embedded Toxiproxy-compatible fault server inside the current process: the Toxiproxy HTTP
 * API plus the proxies it creates. It runs in the fault child process (./fault-child.ts), never in
 * the harness: use `startFaultServer` from ./fault-server.ts. See /work/shared/TOXIPROXY.md for the
 * semantics it matches.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenstormError } from '../errors.ts';
import { bindHost, isLoopbackHost, joinHostPort } from './toxiproxy/address.ts';
import { ProxyCollection } from './toxiproxy/collection.ts';
import { createApiHandler } from './toxiproxy/http-api.ts';
import { defaultReplicaCount, Replicas } from './toxiproxy/replicas.ts';

/** A fault server running in this process. */
export interface InlineFaultServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474`. */
  url: string;
  host: string;
  port: number;
  /** Closes the API, every proxy listener and every proxied socket; never hangs. */
  close(): Promise<void>;
}

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

/**
 * Starts the fault server in this process, on loopback.
 *
 * @throws TokenstormError `ERR_NOT_LOOPBACK` for a non-loopback host, `ERR_USAGE` for a bad port,
 *   `ERR_ADDRESS_IN_USE` when the port is taken.
 * @example
 * const faults = await serveFaultsInline({ port: 0 }); // inside the fault child process
 * await faults.close();
 */
export async function serveFaultsInline(opts: FaultServerOptions = {}): Promise<InlineFaultServer> {
  const { host: requestedHost, port: requestedPort } = checkFaultServerOptions(opts);

  const replicas = new Replicas(opts.replicas ?? defaultReplicaCount());
  const collection = new ProxyCollection({ reusePort: replicas.size > 0 });
  const afterChange = replicas.size > 0 ? () => replicas.sync(collection.snapshot()) : undefined;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, createApiHandler(collection, afterChange ? { afterChange } : {}));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const host = bindHost(requestedHost);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: requestedPort, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await replicas.close();
    const where = joinHostPort(host, requestedPort);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new TokenstormError('ERR_ADDRESS_IN_USE', `cannot start the fault server: ${where} is already in use`, {
        cause: err,
      });
    }
    throw new TokenstormError('ERR_INTERNAL', `cannot start the fault server on ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }

  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${joinHostPort(address.address, address.port)}`,
    host: address.address,
    port: address.port,
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => {
          collection.destroyAll();
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
          server.closeAllConnections();
        }),
        replicas.close(),
      ]).then(() => undefined);
      return closing;
    },
  };
}
