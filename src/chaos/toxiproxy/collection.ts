/**
 * The set of proxies behind the API, with Toxiproxy's create / populate / update semantics and
 * the decoding of their JSON bodies (Go's decoder: unknown fields ignored, `null` keeps a value,
 * wrong types rejected with "bad request body: …").
 */
import { isLoopbackHost, splitHostPort } from './address.ts';
import { ApiError, badBody, PROXY_EXISTS, PROXY_NOT_FOUND } from './api-error.ts';
import { type ProxySettings, type ProxySnapshot, sameListen, ToxicProxy } from './proxy.ts';
import { jsonKind } from './toxics/registry.ts';

/** A proxy create body after decoding. */
export interface ProxyInput extends ProxySettings {
  name: string;
}

const LOOPBACK_RULE = 'listen address must be on loopback (127.0.0.1, ::1 or localhost)';

/** Checks a listen address: host:port, loopback only (the fault layer never listens elsewhere). */
export function checkListen(listen: string): ApiError | undefined {
  const hp = splitHostPort(listen);
  if (!hp) return new ApiError(`listen address ${JSON.stringify(listen)} is not host:port`, 400);
  if (hp.host !== '' && !isLoopbackHost(hp.host)) return new ApiError(`${LOOPBACK_RULE}: ${listen}`, 400);
  return undefined;
}

function checkUpstream(upstream: string): ApiError | undefined {
  const hp = splitHostPort(upstream);
  if (!hp || hp.host === '') return new ApiError(`upstream address ${JSON.stringify(upstream)} is not host:port`, 400);
  // Fault traffic stays on this machine: the embedded server relays only to loopback upstreams.
  if (!isLoopbackHost(hp.host)) return new ApiError(`upstream address must be on loopback (127.0.0.1, ::1 or localhost): ${upstream}`, 400);
  return undefined;
}

/** Reads one typed field like Go's decoder would; `null`/absent gives `fallback`. */
export function field<T extends string | boolean | number>(
  obj: Record<string, unknown>,
  name: string,
  kind: 'string' | 'boolean' | 'number',
  fallback: T,
  goType: string,
): T {
  const value = obj[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== kind) {
    const goKind = kind === 'number' ? 'float32' : kind === 'boolean' ? 'bool' : 'string';
    throw badBody(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${goType}.${name} of type ${goKind}`);
  }
  return value as T;
}

/** Parses a body that must hold one JSON object (`null` decodes to an empty one, as in Go). */
export function decodeObject(text: string, goType: string): Record<string, unknown> {
  const value = decodeJson(text);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badBody(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`);
  }
  return value as Record<string, unknown>;
}

/** Parses a JSON body; an empty body is Go's `EOF`. */
export function decodeJson(text: string): unknown {
  if (text.trim() === '') throw badBody('EOF');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badBody((err as Error).message);
  }
}

function defaultListen(listen: string): string {
  return listen === '' ? '127.0.0.1:0' : listen;
}

/** Every proxy behind one API server, by name. */
export class ProxyCollection {
  private readonly proxies = new Map<string, ToxicProxy>();
  /** Bind proxies with SO_REUSEPORT (when data-plane replicas share their ports). */
  private readonly reusePort: boolean;

  constructor(opts: { reusePort?: boolean } = {}) {
    this.reusePort = opts.reusePort ?? false;
  }

  /** Sorted by name, as Go serialises a map. */
  all(): ToxicProxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): ToxicProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new ApiError(PROXY_NOT_FOUND, 404);
    return proxy;
  }

  /**
   * Decodes and checks a create body (POST /proxies). `goType` names the struct in type errors:
   * `Proxy` for POST /proxies; populate decodes into an anonymous struct embedding it, which Go
   * names `.Proxy` (and its own `enabled` field just `.enabled`).
   */
  parseCreate(obj: Record<string, unknown>, where = '', goType: { proxy: string; enabled: string } = { proxy: 'Proxy', enabled: 'Proxy' }): ProxyInput {
    const name = field<string>(obj, 'name', 'string', '', goType.proxy);
    const upstream = field<string>(obj, 'upstream', 'string', '', goType.proxy);
    const listen = defaultListen(field<string>(obj, 'listen', 'string', '', goType.proxy));
    const enabled = field<boolean>(obj, 'enabled', 'boolean', true, goType.enabled);
    if (name.length < 1) throw new ApiError(`missing required field: name${where}`, 400);
    if (upstream.length < 1) throw new ApiError(`missing required field: upstream${where}`, 400);
    const problem = checkListen(listen) ?? checkUpstream(upstream);
    if (problem) throw problem;
    return { name, listen, upstream, enabled };
  }

  /** POST /proxies: 409 when the name exists; a bind failure is a 500 and nothing is stored. */
  async create(input: ProxyInput): Promise<ToxicProxy> {
    if (this.proxies.has(input.name)) throw new ApiError(PROXY_EXISTS, 409);
    this.checkPortFree(input.listen);
    const proxy = new ToxicProxy(input.name, input.listen, input.upstream, { reusePort: this.reusePort });
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return proxy;
  }

  /**
   * POST /populate: every entry is checked before anything changes; then entries are applied in
   * order, stopping at the first failure, which comes back with the proxies applied before it
   * (as Toxiproxy answers). An existing proxy with the same listen and upstream is kept untouched
   * (toxics and enabled state included); a different one is replaced — also by a later entry of
   * the same body, so with duplicate names the last one wins and both are listed.
   */
  async populate(body: unknown): Promise<{ proxies: ToxicProxy[]; error?: ApiError }> {
    if (body === null) return { proxies: [] };
    const entryType = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }';
    if (!Array.isArray(body)) throw badBody(`json: cannot unmarshal ${jsonKind(body)} into Go value of type []${entryType}`);
    const inputs: ProxyInput[] = [];
    body.forEach((entry: unknown, i) => {
      if (entry !== null && (typeof entry !== 'object' || Array.isArray(entry))) {
        throw badBody(`json: cannot unmarshal ${jsonKind(entry)} into Go value of type ${entryType}`);
      }
      inputs.push(this.parseCreate((entry ?? {}) as Record<string, unknown>, ` at proxy ${i + 1}`, { proxy: '.Proxy', enabled: '' }));
    });
    const out: ToxicProxy[] = [];
    for (const input of inputs) {
      const existing = this.proxies.get(input.name);
      if (existing && sameListen(existing.listen, input.listen) && existing.upstream === input.upstream) {
        out.push(existing);
        continue;
      }
      if (existing) {
        existing.stop();
        this.proxies.delete(input.name);
      }
      try {
        out.push(await this.create(input));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return { proxies: out, error: err };
      }
    }
    return { proxies: out };
  }

  /** POST|PATCH /proxies/{p}: fields absent from the body keep their current values. */
  async update(proxy: ToxicProxy, obj: Record<string, unknown>): Promise<void> {
    const listen = defaultListen(field(obj, 'listen', 'string', proxy.listen, 'Proxy'));
    const upstream = field(obj, 'upstream', 'string', proxy.upstream, 'Proxy');
    const enabled = field(obj, 'enabled', 'boolean', proxy.enabled, 'Proxy');
    const problem = checkListen(listen) ?? checkUpstream(upstream);
    if (problem) throw problem;
    if (!sameListen(listen, proxy.listen)) this.checkPortFree(listen);
    await proxy.update({ listen, upstream, enabled });
  }

  remove(name: string): void {
    this.get(name).stop();
    this.proxies.delete(name);
  }

  /** POST /reset: every proxy enabled, every toxic removed; open connections stay. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.resetToxics();
    }
  }

  /**
   * With SO_REUSEPORT two of our own proxies could bind one port and split its traffic: refuse as
   * the kernel would without it.
   */
  private checkPortFree(listen: string): void {
    if (!this.reusePort || splitHostPort(listen)?.port === 0) return;
    for (const other of this.proxies.values()) {
      if (other.enabled && sameListen(other.listen, listen)) throw new ApiError(`listen tcp ${listen}: bind: address already in use`, 500);
    }
  }

  /** Every proxy as the replicas receive it. */
  snapshot(): ProxySnapshot[] {
    return [...this.proxies.values()].map((p) => p.snapshot());
  }

  /**
   * Replica side: mirrors the primary's proxies (same resolved listen addresses, bound with
   * SO_REUSEPORT), so this thread serves its share of the connections with the same toxics.
   */
  async reconcile(wanted: readonly ProxySnapshot[]): Promise<void> {
    const byName = new Map(wanted.map((p) => [p.name, p]));
    for (const [name, proxy] of this.proxies) {
      const want = byName.get(name);
      if (!want || want.id !== proxy.id) {
        proxy.stop();
        this.proxies.delete(name);
      }
    }
    for (const want of wanted) {
      let proxy = this.proxies.get(want.name);
      if (!proxy) {
        proxy = new ToxicProxy(want.name, want.listen, want.upstream, { reusePort: true, id: want.id });
        this.proxies.set(want.name, proxy);
      }
      // A replica that cannot bind serves nothing; the primary still does.
      await proxy.update({ listen: want.listen, upstream: want.upstream, enabled: want.enabled }).catch(() => undefined);
      proxy.syncToxics(want.toxics);
    }
  }

  /** Server shutdown: everything closed at once. */
  destroyAll(): void {
    for (const proxy of this.proxies.values()) proxy.destroy();
    this.proxies.clear();
  }
}
