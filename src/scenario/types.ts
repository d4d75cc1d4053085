/**
 * The scenario a user writes (.ts default export, .json or .yaml) and the validated RunPlan the
 * engine runs. Durations in scenario files are strings like '30s', '500ms', '2m' or numbers of ms;
 * the plan holds ms only.
 */
import type { IdpModeName } from '../idp/modes.ts';
import type { EndpointClass, FailureClass } from '../report/schema.ts';
import type { LoginOptions } from '../target/login/registry.ts';

/** A duration: '500ms', '10s', '2m', '1h' or a number of milliseconds. */
export type Duration = string | number;

/** One stage of a ramping arrival rate (open model) or VU count (closed model). */
export interface StageInput {
  duration: Duration;
  /** Open model: rate reached linearly by the end of the stage (flows/s, or token exchanges/s in token mode). */
  target?: number;
  /** Closed model: VUs during this stage. */
  vus?: number;
}

/** A toxic as Toxiproxy takes it (see shared/TOXIPROXY.md). */
export interface ToxicInput {
  type: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data' | 'noop';
  name?: string;
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes?: Record<string, number>;
}

/** Which proxy (endpoint route) a fault applies to. `idp` = every route. */
export type FaultEndpoint = 'authorize' | 'token' | 'idp';

/** One scheduled fault. Exactly one of toxic / down / clockSkewMs / idpMode. */
export interface FaultInput {
  at: Duration;
  for: Duration;
  /** Default 'token'. */
  endpoint?: FaultEndpoint;
  toxic?: ToxicInput;
  /** Take the route's proxy down (enabled:false). */
  down?: boolean;
  /** Offset the IdP clock (embedded) or the harness-side clock used for ID-token checks (remote), ms. */
  clockSkewMs?: number;
  /** Embedded IdP misbehaviour: 'reject-s256' (outage) or a security hole for probes (src/idp/modes.ts). */
  idpMode?: IdpModeName;
  /** Buggy clients: this share of the flows started in the window sends what a broken client sends. */
  clientMix?: ClientMixInput;
  /** Free text shown in reports. */
  name?: string;
}

/** What the scenario considers healthy; used for time-to-detect/recover and the capacity knee. */
export interface SloInput {
  /** p95 limit in ms on `endpoint` (default 'token'). */
  p95Ms?: number;
  /** Failed-flow ratio limit, 0..1. */
  errorRate?: number;
  endpoint?: EndpointClass;
}

/** Scenario `target.login`: which login driver, and the overrides it takes. */
export interface LoginInput {
  /** 'oidc-provider' (default), 'form' (any HTML login form), 'keycloak', or 'script' (your module). */
  driver?: 'oidc-provider' | 'form' | 'keycloak' | 'script';
  /** form/keycloak: name of the username input when detection picks the wrong one. */
  usernameField?: string;
  /** form/keycloak: name of the password input. */
  passwordField?: string;
  /** form/keycloak: the consent button to press (name, id, value or label). */
  consentButton?: string;
  /** script: path of a .ts/.js module exporting `login(ctx)`, relative to the scenario file. */
  module?: string;
}

/** A scenario as written. Unknown keys are rejected. */
export interface ScenarioInput {
  name?: string;
  description?: string;
  /**
   * 'flow' (default): full authorize → login → callback → token flows. 'token': a bank of codes,
   * exchanges at the scheduled rate. 'refresh': simulated users redeem their refresh tokens at the
   * rate (rotation followed). 'client_credentials': machine-to-machine token requests at the rate.
   */
  mode?: RunMode;
  load?: {
    /** 'open' (default, arrival rate) or 'closed' (fixed VUs). */
    model?: 'open' | 'closed';
    /** Constant rate for `duration` (open model). */
    ratePerSec?: number;
    /** Constant VUs for `duration` (closed model). */
    vus?: number;
    duration?: Duration;
    /** Ramps; when given, ratePerSec/vus/duration are not. */
    stages?: StageInput[];
    /** Open model with stages: rate at t=0 the first stage ramps from (k6 ramping-arrival-rate startRate). Default 0. */
    startRatePerSec?: number;
    /** Max flows in flight; a flow that cannot start on time is dropped (open model). Default 256. */
    maxInFlight?: number;
    /** Stop after this many flows have started. */
    maxFlows?: number;
    /** Connections per origin in the one undici Agent. Default 64. */
    connections?: number;
    /** Flow mode: flows run one after another before the clock starts, unmeasured, to warm the harness (at most 5 s, stops at the first failure). Default 20; 0 = none. */
    primeFlows?: number;
    /** Per-request timeout; default 10s. Connect timeout default 5s. */
    requestTimeout?: Duration;
    connectTimeout?: Duration;
    /** Largest JSON response body read (token, discovery, JWKS), bytes; default 1 MiB. Over it: bad_response. */
    maxBodyBytes?: number;
    /** Largest HTML page read (authorize, login, consent, callback), bytes; default 2 MiB. */
    maxPageBytes?: number;
    /** Capacity search instead of a fixed shape: open-model steps until the SLO breaks, then bisection. */
    search?: SearchInput;
  };
  /** Token mode: how many fresh codes to keep banked, and how old a code may be before it is not used. */
  codeBank?: { size?: number; maxAge?: Duration; producers?: number };
  target?: {
    /** Remote issuer (discovery). Default: the embedded IdP. Must be loopback. */
    issuer?: string;
    clientId?: string;
    redirectUri?: string;
    scope?: string;
    username?: string;
    /** The user's password, or `{ env: "NAME" }` to read it from the environment when the scenario loads. */
    password?: string | { env: string };
    /** Embedded IdP: authorization-code TTL (s), default 60. */
    codeTtlSec?: number;
    /** Token-endpoint client authentication and DPoP; default a public client. */
    client?: ClientInput;
    /** How flows log in. Default: the oidc-provider driver (the embedded IdP's pages). */
    login?: LoginInput;
  };
  /** Refresh mode: how many simulated users (each with its own refresh token). Default 32. */
  refresh?: { sessions?: number };
  faults?: FaultInput[];
  slo?: SloInput;
  /** k6-syntax thresholds, e.g. 'token:p(95)<200', 'flow:rate(failed)<0.01'. */
  thresholds?: string[];
  /** Failure classes the scenario expects (game days); reported, not gated. */
  expectFailures?: FailureClass[];
  /** Security probes (`tokenstorm probe`, and mixed into the load when ratePerSec is given). */
  probes?: ProbesInput;
}

/** The `probes` section of a scenario. */
export interface ProbesInput {
  /** Probe flows per second mixed into the load (under-load probing); absent: none under load. */
  ratePerSec?: number;
  /** Probe ids to run (default: all), e.g. ['P1', 'P9']. */
  only?: string[];
  /** Probe ids to leave out. */
  except?: string[];
  /** Remote IdP: its authorization code lifetime in s (P11 is skipped without it). */
  codeTtlSec?: number;
  /** Remote IdP: a second client with the same redirect_uri (P13 is skipped without it). */
  secondClientId?: string;
  /** Concurrent redemptions of one code in P9 (default 8). */
  parallelRedemptions?: number;
  /** Longest a probe may wait (P11) without --slow; default 15s. */
  maxWait?: Duration;
}

/** The validated `probes` section. */
export interface ProbesPlan {
  ratePerSec: number | null;
  only: string[];
  except: string[];
  codeTtlSec: number | null;
  secondClientId: string | null;
  parallelRedemptions: number;
  maxWaitMs: number;
}

/**
 * A buggy-client mix (issue 10): F1 wrong verifier, F2 missing verifier, F5 challenge in standard
 * base64 with padding, F8 `plain` method, retry-reuse (the same code redeemed twice after a timeout).
 */
export interface ClientMixInput {
  kind: 'F1' | 'F2' | 'F5' | 'F8' | 'retry-reuse';
  /** Share of the flows started during the fault, 0 < fraction ≤ 1. */
  fraction: number;
}

/** What a workload does per unit; one file each under src/load/workloads/. */
export type RunMode = 'flow' | 'token' | 'refresh' | 'client_credentials';

/** A secret given inline or read from the environment when the scenario is loaded. */
export type SecretInput = string | { env: string };

/** `target.client` as written. */
export interface ClientInput {
  /** Default 'none' (public client). */
  auth?: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  clientSecret?: SecretInput;
  /** private_key_jwt: PKCS#8 PEM or private JWK file. */
  privateKeyFile?: SecretInput;
  assertionAlg?: 'ES256' | 'EdDSA';
  /** DPoP proofs on token requests (RFC 9449): true = ES256. */
  dpop?: boolean | 'ES256' | 'EdDSA';
  /** Push the authorization request first (RFC 9126 PAR); timed as endpoint class `par`. */
  par?: boolean;
}

/** `target.client`, validated. */
export interface ClientPlan {
  auth: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  clientSecret?: string;
  privateKeyFile?: string;
  assertionAlg: 'ES256' | 'EdDSA';
  dpop: 'ES256' | 'EdDSA' | null;
  par: boolean;
}

/**
 * `load.search`: find the knee instead of guessing a ramp. Steps run at constant rates growing
 * geometrically from `startRatePerSec` until one breaks the SLO, then the search bisects between
 * the last good and the first bad rate until they are within `resolutionPct` of each other.
 */
export interface SearchInput {
  /** Rate of the first step (flows/s, or exchanges/s in token mode). */
  startRatePerSec: number;
  /** Each growing step's rate is the last good one × growth. Default 1.5. */
  growth?: number;
  /** Length of a step; longer when minSamples need it at a low rate. Default '10s'. */
  stepDuration?: Duration;
  /** Start of each step not judged (the IdP settles at the new rate). Default '2s'. */
  settle?: Duration;
  /** Fewest SLO-endpoint samples in a step's judged window for a stable p95. Default 100. */
  minSamples?: number;
  /** Stop bisecting when first bad / last good − 1 is at most this, in percent. Default 5. */
  resolutionPct?: number;
  /** Never step above this rate (the answer is then "at least this"). Default 5000. */
  maxRatePerSec?: number;
}

/** A validated `load.search`, durations in ms (whole seconds: steps are judged on whole seconds). */
export interface SearchPlan {
  startRatePerSec: number;
  growth: number;
  stepDurationMs: number;
  settleMs: number;
  minSamples: number;
  resolutionPct: number;
  maxRatePerSec: number;
}

/** One validated stage in ms. */
export interface Stage {
  durationMs: number;
  targetRatePerSec?: number;
  vus?: number;
}

/** One validated fault in ms. */
export interface Fault {
  name: string;
  atMs: number;
  forMs: number;
  endpoint: FaultEndpoint;
  toxic?: ToxicInput;
  down?: boolean;
  clockSkewMs?: number;
  idpMode?: IdpModeName;
  clientMix?: ClientMixInput;
}

/** The validated plan the engine runs. */
export interface RunPlan {
  name: string;
  description: string;
  file: string | null;
  mode: RunMode;
  model: 'open' | 'closed';
  /**
   * `load.warmup`: this long at the start is excluded from the totals and the thresholds and
   * reported as its own phase `warmup`. When set, `stages[0]` is the warmup stage (the first
   * stage's starting load), `totalDurationMs` includes it and fault times are in the run's clock.
   */
  warmupMs?: number;
  /** Open model: rate stages (a constant rate is one stage with start = target). Closed: vus stages. */
  stages: Stage[];
  /** Open model: rate at t=0 (ramps start from here). */
  startRatePerSec: number;
  /** With `search`: an upper bound of the search's length (no stages are then given). */
  totalDurationMs: number;
  /** Capacity search (open model only); null for a fixed shape. */
  search: SearchPlan | null;
  maxInFlight: number;
  /** Flow mode: whole flows run (unmeasured) before the clock starts, to warm the harness (src/flow/prime.ts). */
  primeFlows: number;
  maxFlows: number | null;
  connections: number;
  /** One absolute deadline per request, from the send to the last body byte. */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Cap on JSON response bodies, bytes (HttpClientOptions.maxBodyBytes). */
  maxBodyBytes: number;
  /** Cap on HTML pages, bytes (HttpClientOptions.maxPageBytes). */
  maxPageBytes: number;
  codeBank: { size: number; maxAgeMs: number; producers: number };
  target: {
    issuer: string | null;
    clientId: string | null;
    redirectUri: string | null;
    scope: string;
    username: string;
    password: string;
    codeTtlSec: number;
    client: ClientPlan;
    /** The login driver and its options (`module` absolute). */
    login: LoginOptions;
  };
  refresh: { sessions: number };
  faults: Fault[];
  slo: { p95Ms: number | null; errorRate: number | null; endpoint: EndpointClass };
  thresholds: string[];
  expectFailures: FailureClass[];
  /** Present when the scenario has a `probes` section. */
  probes?: ProbesPlan;
}
