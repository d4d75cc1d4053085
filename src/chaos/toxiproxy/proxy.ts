/**
 * One named proxy: a loopback listener, the connections it accepted and its toxics. Mirrors
 * Toxiproxy's Proxy: the upstream is dialled per accepted client, `enabled:false` closes the
 * listener and every connection, and a listen port of 0 is resolved once and kept.
 */
import { type AddressInfo, createServer, connect, type Server, type Socket } from 'node:net';
import { bindHost, isLoopbackHost, joinHostPort, splitHostPort } from './address.ts';
import { ApiError } from './api-error.ts';
import { closeGracefully, Connection, type ConnectionOwner, type ToxicSpec } from './link.ts';

/** The three settable fields of a proxy. */
export interface ProxySettings {
  listen: string;
  upstream: string;
  enabled: boolean;
}

/** Proxy JSON, in Toxiproxy's field order. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** Toxic JSON, in Toxiproxy's field order. */
export interface ToxicJson {
  attributes: Record<string, number>;
  name: string;
  type: string;
  /** As the client spelled it (Toxiproxy keeps "UPSTREAM" as given). */
  stream: string;
  toxicity: number;
}

/** `localhost:N` and `127.0.0.1:N` are the same listen address. */
export function sameListen(a: string, b: string): boolean {
  const pa = splitHostPort(a);
  const pb = splitHostPort(b);
  if (!pa || !pb) return a === b;
  return pa.port === pb.port && bindHost(pa.host) === bindHost(pb.host);
}

function noop(): void {}

let lastProxyId = 0;

/** A proxy as the data-plane replicas receive it (see ./replicas.ts). */
export interface ProxySnapshot {
  /** Changes when a proxy of the same name is replaced (populate), so replicas rebuild it. */
  id: number;
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicSpec[];
}

/** One proxy of the collection; its JSON is what the API shows. */
export class ToxicProxy implements ConnectionOwner {
  readonly id: number;
  readonly name: string;
  /**
   * Bind with SO_REUSEPORT so data-plane replicas in other threads can listen on the same port
   * (the kernel spreads connections across them).
   */
  private readonly reusePort: boolean;
  listen: string;
  upstream: string;
  enabled = false;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Clients whose upstream dial has not finished, with that dial. */
  private readonly dialling = new Map<Socket, Socket>();
  /** Both streams, in insertion order. */
  private toxics: ToxicSpec[] = [];

  constructor(name: string, listen: string, upstream: string, opts: { reusePort?: boolean; id?: number } = {}) {
    this.id = opts.id ?? ++lastProxyId;
    this.reusePort = opts.reusePort ?? false;
    this.name = name;
    this.listen = listen;
    this.upstream = upstream;
  }

  /** Binds the listener; on failure the proxy stays disabled and the error is a 500 like Toxiproxy's. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const hp = splitHostPort(this.listen);
    if (!hp) throw new ApiError(`listen tcp: address ${this.listen}: missing port in address`, 500);
    if (hp.host !== '' && !isLoopbackHost(hp.host)) throw new ApiError(`listen address must be on loopback: ${this.listen}`, 400);
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: bindHost(hp.host), port: hp.port, exclusive: true, reusePort: this.reusePort }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : String(code);
      throw new ApiError(`listen tcp ${this.listen}: bind: ${reason}`, 500);
    }
    server.on('error', noop);
    const address = server.address() as AddressInfo;
    this.listen = joinHostPort(address.address, address.port);
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener (new clients get ECONNREFUSED) and every connection (FIN). Toxics stay. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const [client, upstream] of this.dialling) {
      upstream.destroy();
      closeGracefully(client);
    }
    this.dialling.clear();
    for (const conn of [...this.connections]) conn.close();
  }

  /** Immediate teardown for server shutdown: no FIN flushing, nothing left open. */
  destroy(): void {
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const [client, upstream] of this.dialling) {
      upstream.destroy();
      client.destroy();
    }
    this.dialling.clear();
    for (const conn of [...this.connections]) conn.destroy();
  }

  /**
   * Toxiproxy's Update: a listen or upstream change restarts the proxy (connections dropped);
   * then `enabled` is applied. Same values are a no-op.
   */
  async update(input: ProxySettings): Promise<void> {
    if (!sameListen(input.listen, this.listen) || input.upstream !== this.upstream) {
      this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled && !this.enabled) await this.start();
    else if (!input.enabled) this.stop();
  }

  forget(conn: Connection): void {
    this.connections.delete(conn);
  }

  private accept(client: Socket): void {
    client.on('error', noop);
    const target = splitHostPort(this.upstream);
    if (!this.enabled || !target) {
      closeGracefully(client);
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    upstream.on('error', noop);
    this.dialling.set(client, upstream);
    upstream.once('connect', () => {
      this.dialling.delete(client);
      if (client.destroyed || !this.enabled) {
        upstream.destroy();
        closeGracefully(client);
        return;
      }
      upstream.setNoDelay(true);
      this.connections.add(new Connection(this, client, upstream, this.toxics));
    });
    upstream.once('error', () => {
      // Toxiproxy accepts the client, fails to dial, and closes the client.
      if (this.dialling.delete(client)) closeGracefully(client);
    });
  }

  findToxic(name: string): ToxicSpec | undefined {
    return this.toxics.find((t) => t.name === name);
  }

  /** Adds a toxic; open connections get it at once (toxicity drawn per connection now). */
  addToxic(toxic: ToxicSpec): void {
    this.toxics.push(toxic);
    for (const conn of this.connections) conn.link(toxic.stream).addToxic(toxic);
  }

  /** Replaces a toxic's attributes/toxicity; every connection redraws its toxicity. */
  updateToxic(toxic: ToxicSpec): void {
    this.toxics = this.toxics.map((t) => (t.name === toxic.name ? toxic : t));
    for (const conn of this.connections) conn.link(toxic.stream).updateToxic(toxic);
  }

  /** Removes a toxic; data it held is released at once. */
  removeToxic(name: string): boolean {
    const toxic = this.findToxic(name);
    if (!toxic) return false;
    this.toxics = this.toxics.filter((t) => t !== toxic);
    for (const conn of [...this.connections]) conn.link(toxic.stream).removeToxic(name);
    return true;
  }

  resetToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic.name);
  }

  /** Upstream toxics first, each stream in insertion order (as Toxiproxy lists them). */
  toxicsJson(): ToxicJson[] {
    const ordered = [...this.toxics.filter((t) => t.stream === 'upstream'), ...this.toxics.filter((t) => t.stream === 'downstream')];
    return ordered.map(toxicJson);
  }

  /** Everything a replica needs to mirror this proxy. */
  snapshot(): ProxySnapshot {
    return { id: this.id, name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: [...this.toxics] };
  }

  /**
   * Replica side: brings this proxy's toxics in line with the primary's, one API-level change at
   * a time (added, updated and removed toxics restart their neighbours exactly as on the primary).
   */
  syncToxics(wanted: readonly ToxicSpec[]): void {
    const wantedByName = new Map(wanted.map((t) => [t.name, t]));
    for (const t of [...this.toxics]) if (!wantedByName.has(t.name)) this.removeToxic(t.name);
    for (const t of wanted) {
      const have = this.findToxic(t.name);
      if (!have) this.addToxic(t);
      else if (have.revision !== t.revision) this.updateToxic(t);
    }
  }

  toJSON(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicsJson() };
  }
}

/** A toxic as the API shows it: every attribute, zeros included. */
export function toxicJson(t: ToxicSpec): ToxicJson {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.streamName, toxicity: t.toxicity };
}
