/**
 * The embedded Toxiproxy-compatible fault server inside the current process: the Toxiproxy HTTP
 * API plus the proxies it creates. It runs in the fault child process (./fault-child.ts), never in
 * the harness: use `startFaultServer` from ./fault-server.ts. See /work/shared/TOXIPROXY.md for the
 * semantics it matches.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenstormError } from '../errors.ts';
import { nodeHttp } from '../lazy-require.ts';
import { checkFaultServerOptions, type FaultServerOptions } from './fault-server-options.ts';
import { bindHost, joinHostPort } from './toxiproxy/address.ts';
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
  const server: Server = nodeHttp().createServer({ keepAliveTimeout: 60_000 }, createApiHandler(collection, afterChange ? { afterChange } : {}));
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
