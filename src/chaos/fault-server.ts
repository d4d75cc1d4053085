/**
 * The embedded Toxiproxy-compatible fault server: the Toxiproxy HTTP API plus the proxies it
 * creates, in-process. Anything that speaks to Toxiproxy (toxiproxy-node-client, the toxiproxy CLI)
 * works against it; see docs in /work/shared/TOXIPROXY.md for the semantics it matches.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenstormError } from '../errors.ts';
import { bindHost, isLoopbackHost, joinHostPort } from './toxiproxy/address.ts';
import { ProxyCollection } from './toxiproxy/collection.ts';
import { createApiHandler } from './toxiproxy/http-api.ts';

export { TOXIPROXY_COMPAT_VERSION } from './toxiproxy/http-api.ts';

/** A running fault server. */
export interface FaultServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474`; pass it to `new Toxiproxy(url)`. */
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
}

/**
 * Starts the fault server on loopback.
 *
 * @throws TokenstormError `ERR_NOT_LOOPBACK` for a non-loopback host, `ERR_USAGE` for a bad port,
 *   `ERR_ADDRESS_IN_USE` when the port is taken.
 * @example
 * const faults = await startFaultServer();
 * const toxiproxy = new Toxiproxy(faults.url);
 * const proxy = await toxiproxy.createProxy({ name: 'token', listen: 'localhost:0', upstream: 'localhost:3000' });
 * await proxy.addToxic({ type: 'latency', attributes: { latency: 100, jitter: 0 } } as never);
 * await faults.close();
 */
export async function startFaultServer(opts: FaultServerOptions = {}): Promise<FaultServer> {
  const requestedHost = opts.host ?? '127.0.0.1';
  const requestedPort = opts.port ?? 0;
  if (!isLoopbackHost(requestedHost)) {
    throw new TokenstormError('ERR_NOT_LOOPBACK', `fault server host must be loopback, got ${JSON.stringify(requestedHost)}`);
  }
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new TokenstormError('ERR_USAGE', `fault server port must be an integer in 0..65535, got ${requestedPort}`);
  }

  const collection = new ProxyCollection();
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, createApiHandler(collection));
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
      closing ??= new Promise<void>((resolve) => {
        collection.destroyAll();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
