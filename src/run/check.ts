/**
 * `tokenstorm check`: ONE flow (or one grant in the refresh and client-credentials modes) against
 * the target, with every hop kept — method, URL with its secrets redacted, status, the names of
 * the cookies set, where it redirected — so a user can get the target configuration right before
 * any load. Uses the same stages as a run (target, pool, HTTP, discovery, workload), without faults.
 */
import { performance } from 'node:perf_hooks';
import { HttpClient, type HttpOutcome, type HttpRequest, headerValue, headerValues } from '../flow/http.ts';
import { runFlow } from '../flow/pkce-flow.ts';
import { discover } from '../flow/target.ts';
import { createWorkload } from '../load/workloads/registry.ts';
import { Recorder } from '../metrics/recorder.ts';
import { redactDetail } from '../metrics/redact.ts';
import { createVerifierPool } from '../pkce/pool.ts';
import type { EndpointClass, FailureEvidence } from '../report/schema.ts';
import type { RunPlan } from '../scenario/types.ts';
import { describePage, MAX_PAGE_BYTES, parsePage } from '../target/login/html-page.ts';
import { flowContextFor } from '../target/flow-context.ts';
import { targetKindFor } from '../target/registry.ts';

/** One request of the checked flow. */
export interface CheckHop {
  endpoint: EndpointClass | 'discovery';
  method: string;
  /** The URL with every query value that is not known to be harmless replaced by `…`. */
  url: string;
  /** HTTP status; null for a transport failure. */
  status: number | null;
  /** Where it redirected (redacted like `url`). */
  location?: string;
  /** Names of the cookies it set (never their values). */
  cookies: string[];
  socketCode?: string;
  serviceMs: number;
  /** An HTML page's title and its forms with their field names (never values). */
  page?: string;
}

/** What the check found. */
export interface CheckResult {
  ok: boolean;
  target: { kind: string; issuer: string; clientId: string; auth: string; dpop: string | null };
  hops: CheckHop[];
  failures: FailureEvidence[];
}

// Query parameters whose values carry no secret and help a person see what was asked.
const SHOWN_PARAMS = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'code_challenge_method',
  'prompt',
  'error',
  'error_description',
  'iss',
  'response_mode',
  'kc_action',
]);

/**
 * A URL for printing: query values other than {@link SHOWN_PARAMS} become `…`.
 *
 * @example
 * redactUrl(new URL('http://idp/cb?code=abc&iss=x')); // 'http://idp/cb?code=…&iss=x'
 */
export function redactUrl(url: URL): string {
  if (url.search === '') return `${url.origin}${url.pathname}`;
  const parts: string[] = [];
  for (const [k, v] of url.searchParams) parts.push(`${encodeURIComponent(k)}=${SHOWN_PARAMS.has(k) ? redactDetail(v).slice(0, 200) : '…'}`);
  return `${url.origin}${url.pathname}?${parts.join('&')}`;
}

function hopOf(endpoint: EndpointClass | 'discovery', req: HttpRequest, out: HttpOutcome): CheckHop {
  if (!out.ok) {
    return { endpoint, method: req.method, url: redactUrl(req.url), status: null, cookies: [], socketCode: out.failure.socketCode, serviceMs: out.failure.serviceUs / 1000 };
  }
  const location = headerValue(out.res.headers, 'location');
  const hop: CheckHop = {
    endpoint,
    method: req.method,
    url: redactUrl(req.url),
    status: out.res.status,
    cookies: headerValues(out.res.headers, 'set-cookie').map((c) => c.slice(0, Math.max(0, c.indexOf('='))).trim()),
    serviceMs: out.res.serviceUs / 1000,
  };
  if (location !== undefined && URL.canParse(location, req.url.href)) hop.location = redactUrl(new URL(location, req.url));
  const type = headerValue(out.res.headers, 'content-type') ?? '';
  // What a login driver saw on the page: the forms and the names of their fields (values never shown).
  if (type.includes('text/html') && out.res.body.length <= MAX_PAGE_BYTES) hop.page = redactDetail(describePage(parsePage(out.res.body, req.url)));
  return hop;
}

/**
 * Runs one checked flow.
 *
 * @example
 * const result = await checkOneFlow(plan, { issuer: null });
 * process.exitCode = result.ok ? 0 : 1;
 */
export async function checkOneFlow(plan: RunPlan, options: { issuer: string | null }): Promise<CheckResult> {
  const targetOptions = { issuer: options.issuer, direct: true };
  const kind = targetKindFor(plan, targetOptions);
  const hops: CheckHop[] = [];
  await using stack = new AsyncDisposableStack();
  const target = stack.use(await kind.open(plan, targetOptions));
  const pool = createVerifierPool({ workers: 0 });
  stack.defer(() => pool.close());
  await pool.ready();
  const late = stack.use(new AsyncDisposableStack());
  const http = stack.use(
    new HttpClient({
      connections: 4,
      requestTimeoutMs: plan.requestTimeoutMs,
      connectTimeoutMs: plan.connectTimeoutMs,
      onExchange: (endpoint, req, out) => hops.push(hopOf(endpoint, req, out)),
    }),
  );
  const flowTarget = await discover(http, target.issuer, target.client);
  const recorder = new Recorder({ now: () => 0 });
  const ctx = flowContextFor(target, { http, recorder, pkce: pool, flowTarget });
  let ok: boolean;
  if (plan.mode === 'refresh' || plan.mode === 'client_credentials') {
    // One simulated user is enough to see the grant work.
    const workload = late.use(createWorkload({ plan: { ...plan, refresh: { sessions: 1 } }, ctx }));
    try {
      await workload.prepare();
      await workload.start(performance.now());
    } catch (err) {
      recorder.failure({ failureClass: 'other', endpoint: 'flow', description: redactDetail(err instanceof Error ? err.message : String(err)) });
    }
    ok = recorder.finish().flows.completed > 0;
  } else {
    ok = await runFlow(ctx, performance.now());
  }
  const result = recorder.finish();
  return {
    ok: ok && result.flows.failed === 0,
    target: { kind: target.kind, issuer: target.issuer, clientId: target.client.clientId, auth: target.clientAuth.method, dpop: target.dpop?.alg ?? null },
    hops,
    failures: result.failureEvidence,
  };
}
