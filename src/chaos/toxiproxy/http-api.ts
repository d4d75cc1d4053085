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

type Handler = (ctx: RequestContext) => Promise<void> | void;

interface RequestContext {
  res: ServerResponse;
  body: string;
  proxyName: string;
  toxicName: string;
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
  return { name, type, stream, streamName: streamText, toxicity, attributes: merged.attributes };
}

/** POST|PATCH /proxies/{p}/toxics/{t}: attributes merge; toxicity kept when omitted. */
function updateToxic(current: ToxicSpec, body: string): ToxicSpec {
  const obj = decodeObject(body, 'struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 "json:\\"toxicity\\"" }');
  // An anonymous struct: Go names its fields without a type (".toxicity").
  const toxicity = field(obj, 'toxicity', 'number', current.toxicity, '');
  const merged = mergeAttributes(current.type, current.attributes, obj['attributes'], 'update');
  if ('error' in merged) throw badBody(merged.error);
  return { ...current, toxicity, attributes: merged.attributes };
}

function buildRoutes(collection: ProxyCollection): Route[] {
  const proxyOf = (ctx: RequestContext): ToxicProxy => collection.get(ctx.proxyName);
  return [
    {
      pattern: ['reset'],
      methods: {
        POST: async ({ res }) => {
          await collection.reset();
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: ['proxies'],
      methods: {
        GET: ({ res }) => sendJson(res, 200, Object.fromEntries(collection.all().map((p) => [p.name, p.toJSON()]))),
        POST: async ({ res, body }) => {
          const input = collection.parseCreate(decodeObject(body, 'toxiproxy.Proxy'));
          sendJson(res, 201, (await collection.create(input)).toJSON());
        },
      },
    },
    {
      pattern: ['populate'],
      methods: {
        POST: async ({ res, body }) => {
          // Toxiproxy answers populate failures as JSON with the proxies created so far attached.
          const listed = (proxies: ToxicProxy[]) => (proxies.length === 0 ? null : proxies.map((p) => p.toJSON()));
          try {
            const { proxies, error } = await collection.populate(decodeJson(body));
            if (error) sendJson(res, error.status, { error: error.message, status: error.status, proxies: listed(proxies) });
            else sendJson(res, 201, { proxies: listed(proxies) });
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            sendJson(res, err.status, { error: err.message, status: err.status, proxies: null });
          }
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}'],
      methods: {
        GET: (ctx) => sendJson(ctx.res, 200, proxyOf(ctx).toJSON()),
        POST: async (ctx) => {
          const proxy = proxyOf(ctx);
          await collection.update(proxy, decodeObject(ctx.body, 'toxiproxy.Proxy'));
          sendJson(ctx.res, 200, proxy.toJSON());
        },
        DELETE: (ctx) => {
          collection.remove(ctx.proxyName);
          sendEmpty(ctx.res, 204);
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}', 'toxics'],
      methods: {
        GET: (ctx) => sendJson(ctx.res, 200, proxyOf(ctx).toxicsJson()),
        POST: (ctx) => {
          const proxy = proxyOf(ctx);
          const toxic = createToxic(proxy, ctx.body);
          proxy.addToxic(toxic);
          sendJson(ctx.res, 200, toxicJson(toxic));
        },
      },
    },
    {
      pattern: ['proxies', '{proxy}', 'toxics', '{toxic}'],
      methods: {
        GET: (ctx) => {
          const toxic = proxyOf(ctx).findToxic(ctx.toxicName);
          if (!toxic) throw new ApiError(TOXIC_NOT_FOUND, 404);
          sendJson(ctx.res, 200, toxicJson(toxic));
        },
        POST: (ctx) => {
          const proxy = proxyOf(ctx);
          const current = proxy.findToxic(ctx.toxicName);
          if (!current) throw new ApiError(TOXIC_NOT_FOUND, 404);
          const updated = updateToxic(current, ctx.body);
          proxy.updateToxic(updated);
          sendJson(ctx.res, 200, toxicJson(updated));
        },
        DELETE: (ctx) => {
          if (!proxyOf(ctx).removeToxic(ctx.toxicName)) throw new ApiError(TOXIC_NOT_FOUND, 404);
          sendEmpty(ctx.res, 204);
        },
      },
    },
    {
      pattern: ['version'],
      methods: {
        GET: ({ res }) => {
          const body = `{"version": "${TOXIPROXY_COMPAT_VERSION}"}\n`;
          res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        },
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

/**
 * Builds the request listener for the API. Mutating requests run one at a time (the Go server
 * holds locks), so concurrent clients never see a half-applied change.
 *
 * @example
 * const server = http.createServer(createApiHandler(new ProxyCollection()));
 */
export function createApiHandler(collection: ProxyCollection): (req: IncomingMessage, res: ServerResponse) => void {
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
      try {
        const body = await readBody(req);
        await handler({ res, body, ...found.names });
      } catch (err) {
        const apiErr = err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 500);
        if (!res.headersSent) sendApiError(res, apiErr);
        else res.destroy();
      }
    };
    queue = queue.then(run, run);
  };
}
