/**
 * The fault layer: every route (front channel, token endpoint) gets its own Toxiproxy proxy in
 * front of the IdP, on the embedded Toxiproxy-compatible server or a real Toxiproxy. All control
 * goes through toxiproxy-node-client, the one client.
 */
import { type Proxy as ToxiproxyProxy, Toxiproxy } from 'toxiproxy-node-client';
import { TokenstormError } from '../errors.ts';
import type { Route, RouteTarget } from '../flow/http.ts';
import type { Fault, ToxicInput } from '../scenario/types.ts';
import { type FaultServer, startFaultServer } from './fault-server.ts';
import { assertLoopbackUrl } from './loopback.ts';

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

/** An applied fault; `undo()` removes it. */
export interface AppliedFault {
  undo(): Promise<void>;
}

/**
 * Proxies for one run.
 *
 * @example
 * const layer = await FaultLayer.open(null); // embedded server
 * const routes = await layer.createRoutes({ host: '127.0.0.1', port: idpPort }, runId);
 */
export class FaultLayer {
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
    this.client = new Toxiproxy(url);
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

  /** Removes this run's proxies and stops the embedded server. Never throws. */
  async close(): Promise<void> {
    for (const p of this.proxies.values()) await withDeadline(p.remove(), `remove ${p.name}`).catch(() => undefined);
    this.proxies.clear();
    await this.server?.close().catch(() => undefined);
  }
}
