/**
 * Toxiproxy's HTTP API on node:http: same routes, status codes, error bodies and content types
 * as the Go server (gorilla/mux + net/http), so toxiproxy clients cannot tell the difference.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ApiError,
  badBody,
  INVALID_STREAM,
  INVALID_TOXIC_TYPE,
  TOXIC_EXISTS,
  TOXIC_NOT_FOUND,
} from './api-error.ts';
import { decodeJson, decodeObject, field, type ProxyCollection } from './collection.ts';
import type { Stream, ToxicSpec } from './link.ts';
import { type ToxicProxy, toxicJson } from './proxy.ts';
import { isToxicType, mergeAttributes } from './toxics/registry.ts';

/** Reported by GET /version; the API is that of Toxiproxy 2.12. */
export const TOXIPROXY_COMPAT_VERSION = '2.12.0-tokenstorm';

const MAX_BODY_BYTES = 1024 * 1024;

/** What a handler answers; sent after the change (if any) has reached every replica. */
type Reply = { status: number; json: unknown } | { status: number; empty: true } | { status: number; raw: string; contentType: string };

type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

interface RequestContext {
  body: string;
  proxyName: string;
  toxicName: string;
}

const json = (status: number, value: unknown): Reply => ({ status, json: value });
const empty = (status: number): Reply => ({ status, empty: true });

function sendReply(res: ServerResponse, reply: Reply): void {
  if ('json' in reply) sendJson(res, reply.status, reply.json);
  else if ('empty' in reply) sendEmpty(res, reply.status);
  else {
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.raw) });
    res.end(reply.raw);
  }
}

interface Route {
  /** Path segments; `{proxy}` and `{toxic}` match any non-empty segment. */
  pattern: string[];
  methods: Record<string, Handler>;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Go's http.Error: text/plain, nosniff, message + newline. */
function sendText(res: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendApiError(res: ServerResponse, err: ApiError): void {
  sendText(res, err.status, JSON.stringify({ error: err.message, status: err.status }));
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function parseStream(value: string): Stream | undefined {
  const v = value.toLowerCase();
  return v === 'upstream' || v === 'downstream' ? v : undefined;
}

let lastRevision = 0;

/** POST /proxies/{p}/toxics, checked in Toxiproxy's order. */
function createToxic(proxy: ToxicProxy, body: string): ToxicSpec {
  const obj = decodeObject(body, 'toxics.ToxicWrapper');
  const streamText = field<string>(obj, 'stream', 'string', 'downstream', 'ToxicWrapper');
  const type = field<string>(obj, 'type', 'string', '', 'ToxicWrapper');
  const toxicity = field(obj, 'toxicity', 'number', 1, 'ToxicWrapper');
  let name = field<string>(obj, 'name', 'string', '', 'ToxicWrapper');
  const stream = parseStream(streamText);
  if (!stream) throw new ApiError(INVALID_STREAM, 400);
  if (name === '') name = `${type}_${streamText}`;
  if (!isToxicType(type)) throw new ApiError(INVALID_TOXIC_TYPE, 400);
  if (proxy.findToxic(name)) throw new ApiError(TOXIC_EXISTS, 409);
  const merged = mergeAttributes(type, {}, obj['attributes']);
  if ('error' in merged) throw badBody(merged.error);
  return { name, type, stream, streamName: streamText, revision: ++lastRevision, toxicity, attributes: merged.attributes };
}

/** POST|PATCH /proxies/{p}/toxics/{t}: attributes merge; toxicity kept when omitted. */
function updateToxic(current: ToxicSpec, body: string): ToxicSpec {
  const obj = decodeObject(body, 'struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }');
  // An anonymous struct: Go names its fields without a type (".toxicity").
  const toxicity = field(obj, 'toxicity', 'number', current.toxicity, '');
  const merged = mergeAttributes(current.type, current.attributes, obj['attributes'], 'update');
  if ('error' in merged) throw badBody(merged.error);
  return { ...current, revision: ++lastRevision, toxicity, attributes: merged.attributes };
}

function buildRoutes(collection: ProxyCollection): Route[] {
  const proxyOf = (ctx: RequestContext): ToxicProxy => collection.get(ctx.proxyName);
  return [
    {
      pattern: ['reset'],
      methods: {
        POST: async () => {
          await collection.reset();
          return empty(204);
        },
      },
    },
    {
      pattern: ['proxies'],
      methods: {
        GET: () => json(200, Object.fromEntries(collection.all().map((p) => [p.name, p.toJSON()]))),
        POST: async ({ body }) => {
          const input = collection.parseCreate(decodeObject(body, 'toxiproxy.Proxy'));
          return json(201, (await collection.create(input)).toJSON());
        },
      },
    },
    {
      pattern: ['populate'],
      methods: {
        POST: async ({ body }) => {
          // Toxiproxy answers populate failures as JSON with the proxies created so far attached.
          const listed = (proxies: ToxicProxy[]) => (proxies.length === 0 ? null : proxies.map((p) => p.toJSON()));
          try {
            const { proxies, error } = await collection.populate(decodeJson(body));
            if (error) return json(error.status, { error: error.message, status: error.status, proxies: listed(proxies) });
            return json(201, { proxies: listed(proxies) });
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            return json(err.status, { error: err.message, status: err.status, proxies: null });
          }
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}'],
      methods: {
        GET: (ctx) => json(200, proxyOf(ctx).toJSON()),
        POST: async (ctx) => {
          const proxy = proxyOf(ctx);
          await collection.update(proxy, decodeObject(ctx.body, 'toxiproxy.Proxy'));
          return json(200, proxy.toJSON());
        },
        DELETE: (ctx) => {
          collection.remove(ctx.proxyName);
          return empty(204);
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}', 'toxics'],
      methods: {
        GET: (ctx) => json(200, proxyOf(ctx).toxicsJson()),
        POST: (ctx) => {
          const proxy = proxyOf(ctx);
          const toxic = createToxic(proxy, ctx.body);
          proxy.addToxic(toxic);
          return json(200, toxicJson(toxic));
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}', 'toxics', '{toxic}'],
      methods: {
        GET: (ctx) => {
          const toxic = proxyOf(ctx).findToxic(ctx.toxicName);
          if (!toxic) throw new ApiError(TOXIC_NOT_FOUND, 404);
          return json(200, toxicJson(toxic));
        },
        POST: (ctx) => {
          const proxy = proxyOf(ctx);
          const current = proxy.findToxic(ctx.toxicName);
          if (!current) throw new ApiError(TOXIC_NOT_FOUND, 404);
          const updated = updateToxic(current, ctx.body);
          proxy.updateToxic(updated);
          return json(200, toxicJson(updated));
        },
        DELETE: (ctx) => {
          if (!proxyOf(ctx).removeToxic(ctx.toxicName)) throw new ApiError(TOXIC_NOT_FOUND, 404);
          return empty(204);
        },
      },
    },
    {
      pattern: ['version'],
      methods: {
        GET: () => ({ status: 200, raw: `{"version": "${TOXIPROXY_COMPAT_VERSION}"}\n`, contentType: 'application/json;charset=utf-8' }),
      },
    },
  ];
}

function match(route: Route, segments: string[]): { proxyName: string; toxicName: string } | undefined {
  if (route.pattern.length !== segments.length) return undefined;
  let proxyName = '';
  let toxicName = '';
  for (let i = 0; i < segments.length; i++) {
    const want = route.pattern[i]!;
    const got = segments[i]!;
    if (want === '{proxy}') proxyName = got;
    else if (want === '{toxic}') toxicName = got;
    else if (want !== got) return undefined;
  }
  return { proxyName, toxicName };
}

function pathSegments(url: string): string[] | undefined {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith('/')) return undefined;
  try {
    const segments = path.slice(1).split('/').map(decodeURIComponent);
    return segments.some((s) => s === '') ? undefined : segments;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let sizeBytes = 0;
    req.on('data', (part: Buffer) => {
      sizeBytes += part.length;
      if (sizeBytes > MAX_BODY_BYTES) {
        reject(badBody('http: request body too large'));
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Hooks of {@link createApiHandler}. */
export interface ApiHandlerOptions {
  /**
   * Runs after every request that may have changed something (any method but GET), before its
   * answer is sent: the proxy's data-plane replicas catch up here, so that when a client hears
   * "disabled" every listener is closed.
   */
  afterChange?: () => Promise<void>;
}

/**
 * Builds the request listener for the API. Mutating requests run one at a time (the Go server
 * holds locks), so concurrent clients never see a half-applied change.
 *
 * @example
 * const server = http.createServer(createApiHandler(new ProxyCollection()));
 */
export function createApiHandler(collection: ProxyCollection, opts: ApiHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = buildRoutes(collection);
  let queue: Promise<void> = Promise.resolve();

  return (req, res) => {
    const method = req.method === 'PATCH' ? 'POST' : (req.method ?? 'GET');
    const segments = pathSegments(req.url ?? '/');
    let found: { route: Route; names: { proxyName: string; toxicName: string } } | undefined;
    for (const route of segments ? routes : []) {
      const names = match(route, segments!);
      if (names) {
        found = { route, names };
        break;
      }
    }
    if (!found) return sendText(res, 404, '404 page not found');
    // PATCH is only an alias where POST updates something that exists.
    const updatable = found.route.pattern.at(-1)?.startsWith('{') === true;
    const handler = req.method === 'PATCH' && !updatable ? undefined : found.route.methods[method];
    if (!handler) {
      req.resume();
      return sendEmpty(res, 405);
    }
    // Middleware runs only for a matched route, as with gorilla/mux.
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      req.resume();
      return sendText(res, 403, 'User agent not allowed');
    }
    const run = async (): Promise<void> => {
      let reply: Reply | ApiError;
      try {
        const body = await readBody(req);
        reply = await handler({ body, ...found.names });
      } catch (err) {
        reply = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 500);
      }
      // Even a failed request may have changed something (populate stops partway).
      if (method !== 'GET' && opts.afterChange) await opts.afterChange().catch(() => undefined);
      if (res.headersSent) res.destroy();
      else if (reply instanceof ApiError) sendApiError(res, reply);
      else sendReply(res, reply);
    };
    queue = queue.then(run, run);
  };
}
