/**
 * The fault layer: every route (front channel, token endpoint) gets its own Toxiproxy proxy in
 * front of the IdP, on the embedded Toxiproxy-compatible server or a real Toxiproxy. All control
 * goes through toxiproxy-node-client, the one client.
 */
import type { Proxy as ToxiproxyProxy, Toxiproxy } from 'toxiproxy-node-client';
import { TokenstormError } from '../errors.ts';
import type { Route, RouteTarget } from '../flow/http.ts';
import type { Fault, ToxicInput } from '../scenario/types.ts';
import type { AppliedFault } from './actuators/types.ts';
import { type FaultServer, startFaultServer } from './fault-server.ts';
import { assertLoopbackUrl } from '../loopback.ts';
import { lazyRequire } from '../lazy-require.ts';

/** The Toxiproxy client, loaded for the first fault layer (a --direct run has none). */
const toxiproxy = lazyRequire<typeof import('toxiproxy-node-client')>('toxiproxy-node-client');

const ROUTES: Route[] = ['authorize', 'token'];

/** Every call to the fault server gets this long: toxiproxy-node-client's fetch has no timeout of its own. */
export const FAULT_CALL_TIMEOUT_MS = 5000;

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TokenstormError('ERR_FAULT_SERVER_UNREACHABLE', `fault server did not answer ${what} within ${FAULT_CALL_TIMEOUT_MS} ms`)),
      FAULT_CALL_TIMEOUT_MS,
    );
    timer.unref();
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}


/**
 * toxiproxy-node-client turns every non-2xx answer into "Request failed with status code N" and
 * drops the body, where Toxiproxy says what was wrong (`{"error":"…"}`). A fault that could not be
 * applied must be reported in the server's own words, so the client's one fetch keeps them.
 */
function keepServerErrors(client: Toxiproxy): void {
  const api = client.getApi() as unknown as { doFetch(url: string, init: RequestInit): Promise<Response> };
  api.doFetch = async (url, init) => {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(FAULT_CALL_TIMEOUT_MS) });
    } catch (err) {
      throw new (toxiproxy().ToxiproxyError)('Error', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 500).trim();
      let said = text;
      try {
        const body = JSON.parse(text) as { error?: unknown };
        if (typeof body.error === 'string') said = body.error;
      } catch {
        // Not JSON (404 page not found): the text itself is what the server said.
      }
      throw new (toxiproxy().ToxiproxyError)('Error', `Toxiproxy answered ${res.status}${said ? `: ${said}` : ''}`);
    }
    return res;
  };
}

/**
 * Proxies for one run.
 *
 * @example
 * const layer = await FaultLayer.open(null); // embedded server
 * const routes = await layer.createRoutes({ host: '127.0.0.1', port: idpPort }, runId);
 */
export class FaultLayer implements AsyncDisposable {
  readonly kind: 'embedded' | 'toxiproxy';
  readonly url: string;
  private readonly client: Toxiproxy;
  private readonly server: FaultServer | null;
  private readonly proxies = new Map<Route, ToxiproxyProxy>();
  /** Proxies found, not created (adoptRoutes): used like ours, never removed. */
  private readonly adopted = new Map<Route, ToxiproxyProxy>();

  private constructor(kind: 'embedded' | 'toxiproxy', url: string, server: FaultServer | null) {
    this.kind = kind;
    this.url = url;
    this.server = server;
    this.client = new (toxiproxy().Toxiproxy)(url);
    keepServerErrors(this.client);
  }

  /** Starts the embedded server (url null) or connects to a real Toxiproxy; unreachable → exit 3. */
  static async open(url: string | null): Promise<FaultLayer> {
    if (url === null) {
      const server = await startFaultServer({ host: '127.0.0.1', port: 0 });
      return new FaultLayer('embedded', server.url, server);
    }
    assertLoopbackUrl(url, '--toxiproxy');
    const layer = new FaultLayer('toxiproxy', url.replace(/\/$/, ''), null);
    try {
      await withDeadline(layer.client.getVersion(), 'GET /version');
    } catch (err) {
      throw new TokenstormError('ERR_FAULT_SERVER_UNREACHABLE', `cannot reach Toxiproxy at ${url}`, {
        cause: err,
        hint: 'start it (toxiproxy-server, or `tokenstorm proxy`) or drop --toxiproxy to use the embedded one',
      });
    }
    return layer;
  }

  /** Creates one proxy per route in front of `upstream`; returns where each route must dial. */
  async createRoutes(upstream: RouteTarget, runId: string): Promise<Record<Route, RouteTarget>> {
    const out = {} as Record<Route, RouteTarget>;
    for (const route of ROUTES) {
      const name = `tokenstorm-${runId}-${route}`;
      let proxy: ToxiproxyProxy;
      try {
        proxy = await withDeadline(this.client.createProxy({ name, listen: '127.0.0.1:0', upstream: `${upstream.host}:${upstream.port}` }), `create ${name}`);
      } catch (err) {
        throw new TokenstormError('ERR_FAULT_SERVER_UNREACHABLE', `fault server at ${this.url} refused to create proxy ${name}`, { cause: err });
      }
      this.proxies.set(route, proxy);
      const m = /^(.*):(\d+)$/.exec(proxy.listen);
      if (!m) throw new TokenstormError('ERR_FAULT_SERVER_UNREACHABLE', `fault server gave an unusable listen address for ${name}`);
      out[route] = { host: m[1] === 'localhost' ? '127.0.0.1' : m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
    }
    return out;
  }

  /**
   * Uses proxies that already exist (named `<prefix>-authorize` and `<prefix>-token`) instead of
   * creating them, for `tokenstorm faults` against a proxy setup another tool's load goes through.
   * They are not removed by close(). Unknown names → ERR_FAULT_SERVER_UNREACHABLE naming them.
   */
  async adoptRoutes(prefix: string): Promise<void> {
    for (const route of ROUTES) {
      const name = `${prefix}-${route}`;
      try {
        this.adopted.set(route, await withDeadline(this.client.get(name), `GET /proxies/${name}`));
      } catch (err) {
        throw new TokenstormError('ERR_FAULT_SERVER_UNREACHABLE', `fault server at ${this.url} has no proxy ${name}`, { cause: err, hint: `create ${prefix}-authorize and ${prefix}-token, or pass --upstream to let tokenstorm create them` });
      }
    }
  }

  private routesFor(fault: Fault): ToxiproxyProxy[] {
    const routes: Route[] = fault.endpoint === 'idp' ? ROUTES : [fault.endpoint];
    return routes.map((r) => {
      const p = this.proxies.get(r) ?? this.adopted.get(r);
      if (!p) throw new TokenstormError('ERR_INTERNAL', `no proxy for route ${r}`);
      return p;
    });
  }

  /** Applies a network fault (toxic or down) on its routes; a partial apply is rolled back. */
  async apply(fault: Fault, index: number): Promise<AppliedFault> {
    const proxies = this.routesFor(fault);
    const undos: Array<() => Promise<unknown>> = [];
    const undoAll = async (): Promise<void> => {
      for (const u of undos.reverse()) await withDeadline(u(), `undo ${fault.name}`);
    };
    try {
      if (fault.down) {
        for (const p of proxies) {
          await withDeadline(p.update({ enabled: false, listen: p.listen, upstream: p.upstream }), `disable ${p.name}`);
          undos.push(() => p.update({ enabled: true, listen: p.listen, upstream: p.upstream }));
        }
      } else {
        const toxic = fault.toxic as ToxicInput;
        const name = toxic.name ?? `tokenstorm_${index}_${toxic.type}`;
        for (const p of proxies) {
          const added = await withDeadline(
            p.addToxic({
              name,
              type: toxic.type as never,
              stream: toxic.stream ?? 'downstream',
              // toxiproxy-node-client sends toxicity as given; 0 would disable the toxic, so omit means 1.0.
              toxicity: toxic.toxicity ?? 1,
              attributes: (toxic.attributes ?? {}) as never,
            }),
            `add toxic ${name} on ${p.name}`,
          );
          undos.push(() => added.remove());
        }
      }
    } catch (err) {
      // Half-applied (idp = two routes): take back what took, so nothing outlives its fault.
      await undoAll().catch(() => undefined);
      throw err;
    }
    return { undo: undoAll };
  }

  /** Same as {@link FaultLayer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Opens the fault layer for a run in front of `issuer`: one proxy per route, so a fault can hit
   * the token endpoint alone. Returns the layer and where each route must dial.
   *
   * @example
   * const { layer, routes } = await FaultLayer.forIssuer(null, 'http://127.0.0.1:4000', runId);
   */
  static async forIssuer(url: string | null, issuer: string, runId: string): Promise<{ layer: FaultLayer; routes: Record<Route, RouteTarget> }> {
    const layer = await FaultLayer.open(url);
    try {
      const u = new URL(issuer);
      const upstream = { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port || 80) };
      return { layer, routes: await layer.createRoutes(upstream, runId) };
    } catch (err) {
      await layer.close();
      throw err;
    }
  }

  /** Removes this run's proxies and stops the embedded server. Never throws. */
  async close(): Promise<void> {
    for (const p of this.proxies.values()) await withDeadline(p.remove(), `remove ${p.name}`).catch(() => undefined);
    this.proxies.clear();
    await this.server?.close().catch(() => undefined);
  }
}
