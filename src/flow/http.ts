/**
 * The harness's HTTP layer: one undici Agent per route, each with a custom `connect` that can send
 * the route's connections through its own fault proxy while the URL (and so the Host header, the
 * issuer and every redirect) stays the IdP's own. Every exchange is timed from the send to the
 * last body byte; socket errors become failure classes from their `code`, never from guesswork.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as undici from 'undici';
import type { Dispatcher } from 'undici';
import type { RequestTiming } from '../metrics/request-timing.ts';
import type { EndpointClass, FailureClass } from '../report/schema.ts';

export type { RequestTiming };

// The two undici modules the harness uses, required directly: the package's index also loads
// fetch, WebSocket, the cache stores and the mocks, about 15 MB of RSS on Node 24 that a run
// never uses (bench memory). The version is pinned by package-lock.json, and
// test/unit/package/deep-imports.test.ts checks they are what the index exports.
const requireCjs = createRequire(import.meta.url);
const Agent: typeof undici.Agent = requireCjs('undici/lib/dispatcher/agent.js');
const buildConnector: typeof undici.buildConnector = requireCjs('undici/lib/core/connect.js');
type Agent = undici.Agent;

/** Routes a fault can target separately: the front channel (authorize, login, consent, callback) and the token endpoint. */
export type Route = 'authorize' | 'token';

/** Which route an endpoint class travels on. */
export function routeOf(endpoint: EndpointClass | 'discovery'): Route {
  return endpoint === 'token' || endpoint === 'refresh' ? 'token' : 'authorize';
}

/** Where a route's connections are dialled instead of the URL's host (a fault proxy's listen address). */
export interface RouteTarget {
  host: string;
  port: number;
}

/** Options for {@link HttpClient}. */
export interface HttpClientOptions {
  /** Connections per origin per route. */
  connections: number;
  /** One absolute deadline per request, from the send to the last body byte, ms. */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Largest body read from a JSON endpoint (token, discovery, JWKS), bytes; default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** Largest body read from a front-channel page (authorize, login, consent, callback), bytes; default {@link DEFAULT_MAX_PAGE_BYTES}. */
  maxPageBytes?: number;
  /** Aborts every request in flight and every later one (the run's stop signal). */
  signal?: AbortSignal;
  /** Per route: dial this address instead of the URL's (fault proxies). */
  routes?: Partial<Record<Route, RouteTarget>>;
  /** Called with the timing split of every exchange that got a response (the recorder's per-endpoint split). */
  onTiming?: (endpoint: EndpointClass | 'discovery', timing: RequestTiming) => void;
  /** Called after every exchange (`tokenstorm check` prints them as hops); unset in load runs. */
  onExchange?: (endpoint: EndpointClass | 'discovery', req: HttpRequest, outcome: HttpOutcome) => void;
}

/** A request as the flow driver builds it. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Not modified by the client, so a constant object can be passed on every request. */
  headers?: Readonly<Record<string, string>>;
  /** application/x-www-form-urlencoded body, as params or already encoded. */
  form?: URLSearchParams | string;
  /** Any other body (a login script's JSON); its content-type goes in `headers`. Ignored when `form` is set. */
  body?: string;
  /** Aborts this request (start-up requests pass the run's signal). */
  signal?: AbortSignal;
}

/** A response with its whole body read. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** From the send to the last body byte, µs. */
  serviceUs: number;
}

/** A transport-level failure (no HTTP response). */
export interface HttpFailure {
  failureClass: FailureClass;
  /** The socket or undici error code, e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT. */
  socketCode: string;
  /** The error message, which for transport errors carries no request data. */
  message: string;
  serviceUs: number;
}

/** Bytes on the wire for a run (every socket the client opened, headers and bodies both ways). */
export interface WireBytes {
  sentBytes: number;
  receivedBytes: number;
  /** Connections opened. */
  connections: number;
}

/**
 * Per route: which connections were just opened (their connect times, µs) and every socket's byte
 * counters. undici writes the request that a new connection was opened for synchronously in the
 * connect callback's continuation, so the next request written on the route claims the oldest
 * fresh connect. A request written in between on an idle socket of the same route can take it
 * instead (an exchange of two attributions, never a lost or doubled connect): entries older than a
 * second are stale (their request failed) and are dropped.
 */
class ConnectLedger {
  private readonly fresh: Array<{ atMs: number; connectUs: number }> = [];
  private readonly open = new Set<Socket>();
  private closedSent = 0;
  private closedReceived = 0;
  connections = 0;

  opened(socket: Socket, connectUs: number): void {
    this.connections++;
    this.fresh.push({ atMs: performance.now(), connectUs });
    this.open.add(socket);
    socket.once('close', () => {
      this.closedSent += socket.bytesWritten;
      this.closedReceived += socket.bytesRead;
      this.open.delete(socket);
    });
  }

  /** The connect time of the connection this request is the first on, or -1. */
  claim(nowMs: number): number {
    while (this.fresh.length > 0) {
      const f = this.fresh.shift()!;
      if (nowMs - f.atMs <= 1000) return f.connectUs;
    }
    return -1;
  }

  bytes(): { sent: number; received: number } {
    let sent = this.closedSent;
    let received = this.closedReceived;
    for (const s of this.open) {
      sent += s.bytesWritten;
      received += s.bytesRead;
    }
    return { sent, received };
  }
}

/** Either a response or a transport failure. */
export type HttpOutcome = { ok: true; res: HttpResponse } | { ok: false; failure: HttpFailure };

/** Default cap on a JSON response body (token, discovery, JWKS): 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default cap on an HTML page (front channel): 2 MiB. */
export const DEFAULT_MAX_PAGE_BYTES = 2 * 1024 * 1024;

/** Socket code recorded when a body exceeds its cap (the request is aborted there). */
export const BODY_TOO_LARGE = 'ERR_BODY_TOO_LARGE';
/** Socket code recorded when a request passes its absolute deadline. */
export const DEADLINE_EXCEEDED = 'ERR_DEADLINE_EXCEEDED';
/** Socket code recorded when the run's stop signal aborted a request. */
export const REQUEST_ABORTED = 'ERR_REQUEST_ABORTED';

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

const SOCKET_CODE_CLASSES: Record<string, FailureClass> = {
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  UND_ERR_CONNECT_TIMEOUT: 'timeout_connect',
  ETIMEDOUT: 'timeout_connect',
  UND_ERR_HEADERS_TIMEOUT: 'timeout_response',
  UND_ERR_BODY_TIMEOUT: 'timeout_response',
  UND_ERR_ABORTED: 'timeout_response',
  [DEADLINE_EXCEEDED]: 'timeout_response',
  [REQUEST_ABORTED]: 'timeout_response',
  [BODY_TOO_LARGE]: 'bad_response',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'bad_response',
  HPE_INVALID_CONSTANT: 'bad_response',
  HPE_INVALID_CHUNK_SIZE: 'bad_response',
};

/** The code of an error or of the first cause that has one. */
export function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    // AbortSignal.timeout() rejects with a DOMException named TimeoutError (numeric code).
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return 'UND_ERR_ABORTED';
    const code = (e as { code?: unknown }).code;
    // undici's SocketError wraps the socket's own error; the inner code (ECONNRESET) is more precise.
    const cause = (e as { cause?: unknown }).cause;
    if (typeof code === 'string' && !(code === 'UND_ERR_SOCKET' && cause && typeof (cause as { code?: unknown }).code === 'string')) {
      return code;
    }
    e = cause;
  }
  return 'UNKNOWN';
}

/**
 * Maps a transport error to a failure class by its code.
 *
 * @example
 * classifySocketError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })); // 'connection_refused'
 */
export function classifySocketError(err: unknown): { failureClass: FailureClass; socketCode: string } {
  const socketCode = errorCode(err);
  return { failureClass: SOCKET_CODE_CLASSES[socketCode] ?? 'other', socketCode };
}

function routedConnector(connectTimeoutMs: number, target: RouteTarget | undefined, ledger: ConnectLedger): undici.buildConnector.connector {
  const base = buildConnector({ timeout: connectTimeoutMs, keepAlive: true, noDelay: true } as undici.buildConnector.BuildOptions);
  const port = target ? String(target.port) : '';
  return (opts, cb) => {
    const t0 = performance.now();
    const routed = target ? { ...opts, hostname: target.host, host: `${target.host}:${port}`, port } : opts;
    return base(routed, (err, socket) => {
      if (!err && socket) ledger.opened(socket as Socket, (performance.now() - t0) * 1000);
      (cb as (e: Error | null, s: typeof socket | null) => void)(err, socket);
    });
  };
}

/**
 * HTTP for one run: an Agent per route, shared by all flows (connections are pooled per origin).
 *
 * @example
 * const http = new HttpClient({ connections: 64, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
 * const out = await http.send('token', { method: 'POST', url: new URL(tokenUrl), form });
 */
export class HttpClient implements AsyncDisposable {
  private readonly agents: Record<Route, Agent>;
  private readonly requestTimeoutMs: number;
  private readonly onExchange: HttpClientOptions['onExchange'];
  private readonly ledgers: Record<Route, ConnectLedger> = { authorize: new ConnectLedger(), token: new ConnectLedger() };
  /** Receives every exchange's timing split; settable so the measured window can point it at its recorder. */
  onTiming: HttpClientOptions['onTiming'];

  private readonly maxBodyBytes: number;
  private readonly maxPageBytes: number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: HttpClientOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxPageBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
    this.signal = options.signal;
    this.onExchange = options.onExchange;
    this.onTiming = options.onTiming;
    const make = (route: Route): Agent =>
      new Agent({
        connections: options.connections,
        // undici's own timers are per phase (a trickle resets bodyTimeout on every byte); the
        // absolute deadline in send() is what bounds a request, these only end idle sockets sooner.
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        keepAliveTimeout: 30_000,
        // undici retries nothing by default; pipelining stays off so one slow response cannot stall others.
        pipelining: 1,
        connect: routedConnector(options.connectTimeoutMs, options.routes?.[route], this.ledgers[route]),
      });
    this.agents = { authorize: make('authorize'), token: make('token') };
  }

  /** The body cap for an endpoint class, bytes. */
  capOf(endpoint: EndpointClass | 'discovery'): number {
    return endpoint === 'token' || endpoint === 'refresh' || endpoint === 'par' || endpoint === 'discovery' ? this.maxBodyBytes : this.maxPageBytes;
  }

  /**
   * Sends one request on the endpoint's route and reads the whole body. Never throws for target
   * failures. Uses undici's dispatch handler API directly: no body stream per response, which is
   * most of what `request()` costs beyond the socket work.
   *
   * A hostile target cannot hold it: the body is capped (the request is aborted at the cap and
   * recorded as `bad_response` "body over N bytes") and one absolute deadline runs from the send to
   * the last byte, whatever the target trickles.
   */
  send(endpoint: EndpointClass | 'discovery', req: HttpRequest): Promise<HttpOutcome> {
    if (!this.onExchange) return this.dispatch(endpoint, req);
    const hook = this.onExchange;
    return this.dispatch(endpoint, req).then((outcome) => {
      hook(endpoint, req, outcome);
      return outcome;
    });
  }

  /**
   * Bytes sent and received on every connection this client opened so far (socket counters, so
   * headers, bodies and TLS framing all count).
   *
   * @example
   * const { sentBytes, receivedBytes } = http.wireBytes();
   */
  wireBytes(): WireBytes {
    let sentBytes = 0;
    let receivedBytes = 0;
    let connections = 0;
    for (const l of Object.values(this.ledgers)) {
      const b = l.bytes();
      sentBytes += b.sent;
      receivedBytes += b.received;
      connections += l.connections;
    }
    return { sentBytes, receivedBytes, connections };
  }

  private dispatch(endpoint: EndpointClass | 'discovery', req: HttpRequest): Promise<HttpOutcome> {
    const dispatcher: Dispatcher = this.agents[routeOf(endpoint)];
    const ledger = this.ledgers[routeOf(endpoint)];
    const onTiming = this.onTiming;
    let headers: Readonly<Record<string, string>> = req.headers ?? NO_HEADERS;
    let body: string | null = null;
    if (req.form !== undefined) {
      headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
      body = typeof req.form === 'string' ? req.form : req.form.toString();
    } else if (req.body !== undefined) {
      body = req.body;
    }
    const url = req.url;
    const cap = this.capOf(endpoint);
    const signals = [this.signal, req.signal].filter((s): s is AbortSignal => s !== undefined);
    return new Promise((resolve) => {
      const t0 = performance.now();
      // Timestamps of the split (ms); -1 until reached.
      let tWrite = -1;
      let tFirstByte = -1;
      let connectUs = -1;
      let status = 0;
      let resHeaders: HttpResponse['headers'] = {};
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;
      let controller: { abort(reason: Error): void } | null = null;
      let pendingAbort: Error | null = null;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        return true;
      };
      const failWith = (failureClass: FailureClass, socketCode: string, message: string): void => {
        if (!finish()) return;
        resolve({ ok: false, failure: { failureClass, socketCode, message, serviceUs: (performance.now() - t0) * 1000 } });
      };
      const fail = (err: unknown): void => {
        const { failureClass, socketCode } = classifySocketError(err);
        const message = err instanceof Error ? err.message : String(err);
        failWith(failureClass, socketCode, message.slice(0, 200));
      };
      // Stops the exchange where it is; a request still queued for a connection is aborted as soon as it starts.
      const abort = (failureClass: FailureClass, socketCode: string, message: string): void => {
        failWith(failureClass, socketCode, message);
        chunks.length = 0;
        const reason = Object.assign(new Error(message), { code: socketCode });
        if (controller) controller.abort(reason);
        else pendingAbort = reason;
      };
      const onAbort = (): void => abort('timeout_response', REQUEST_ABORTED, 'request aborted: the run is stopping');
      const timer = setTimeout(() => abort('timeout_response', DEADLINE_EXCEEDED, `no complete response within ${this.requestTimeoutMs} ms`), this.requestTimeoutMs);
      for (const s of signals) {
        if (s.aborted) {
          onAbort();
          return;
        }
        s.addEventListener('abort', onAbort, { once: true });
      }
      const overCap = (): void => abort('bad_response', BODY_TOO_LARGE, `body over ${cap} bytes`);
      try {
        dispatcher.dispatch(
          { origin: url.origin, path: url.pathname + url.search, method: req.method, headers, body },
          {
            // undici tells the handler API generations apart by onRequestStart.
            // …and calls it synchronously just before writing the request on a connected socket.
            onRequestStart(c) {
              controller = c;
              if (pendingAbort) c.abort(pendingAbort);
              tWrite = performance.now();
              connectUs = ledger.claim(tWrite);
            },
            onResponseStart(_controller, statusCode, h) {
              if (tFirstByte < 0) tFirstByte = performance.now();
              status = statusCode;
              resHeaders = h as HttpResponse['headers'];
              // A declared length over the cap is refused before a byte of it is read.
              const declared = Number(headerValue(resHeaders, 'content-length'));
              if (declared > cap) overCap();
            },
            onResponseData(_controller, chunk) {
              if (settled) return;
              received += chunk.length;
              if (received > cap) overCap();
              else chunks.push(chunk);
            },
            onResponseEnd() {
              if (!finish()) return;
              const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
              if (onTiming && tWrite >= 0 && tFirstByte >= 0) {
                const tEnd = performance.now();
                const newConnection = connectUs >= 0;
                const cUs = newConnection ? connectUs : 0;
                onTiming(endpoint, {
                  queuedUs: Math.max(0, (tWrite - t0) * 1000 - cUs),
                  connectUs: cUs,
                  newConnection,
                  waitUs: (tFirstByte - tWrite) * 1000,
                  receiveUs: (tEnd - tFirstByte) * 1000,
                });
              }
              resolve({ ok: true, res: { status, headers: resHeaders, body: text, serviceUs: (performance.now() - t0) * 1000 } });
            },
            onResponseError(_controller, err) {
              fail(err);
            },
          },
        );
      } catch (err) {
        fail(err);
      }
    });
  }

  /** Same as {@link HttpClient.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Closes every connection (in-flight requests are aborted). */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.agents).map((a) => a.destroy().catch(() => undefined)));
  }
}

/**
 * Form-encodes one value (application/x-www-form-urlencoded): the same bytes as URLSearchParams
 * for one value, without building one per request.
 *
 * @example
 * `code=${formValue(code)}`
 */
export const formValue = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+');

/** `accept: application/json` for requests answered in JSON (token endpoint, PAR). */
export const ACCEPT_JSON: Readonly<Record<string, string>> = Object.freeze({ accept: 'application/json' });

/** First value of a header that may repeat. */
export function headerValue(h: HttpResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** All values of a header (set-cookie). */
export function headerValues(h: HttpResponse['headers'], name: string): string[] {
  const v = h[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
