/**
 * Scenario validation: one strict schema (unknown keys rejected at every level), every problem
 * collected in one pass, cross-field checks, defaults applied; the result is the RunPlan the engine
 * runs. All problems go out as one `ERR_SCENARIO_INVALID` whose message is one line, because the
 * CLI prints one line: `<file>: <problem>; <problem>; …`.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { loopbackProblem } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import { parseThreshold } from '../report/thresholds.ts';
import { ENDPOINT_CLASSES, FAILURE_CLASSES } from '../report/schema.ts';
import type { FailureClass } from '../report/schema.ts';
import { LOGIN_DRIVER_NAMES, LOGIN_DRIVERS, type LoginOptions } from '../target/login/registry.ts';
import { arrayAt, dur, enumProblem, num, objectAt, oneOf, secretAt, str } from './checks.ts';
import type { Obj, Problems } from './checks.ts';
import { formatDuration } from './duration.ts';
import type { RunPlan, Stage } from './types.ts';
import { readClient } from './validate-client.ts';
import { validateProbes } from './validate-probes.ts';
import { validateFaults } from './validate-faults.ts';
import { readSearch } from './validate-search.ts';

const TOP_KEYS = ['name', 'description', 'mode', 'load', 'codeBank', 'refresh', 'target', 'faults', 'slo', 'thresholds', 'expectFailures', 'probes'];
const LOAD_KEYS = [
  'model',
  'ratePerSec',
  'vus',
  'duration',
  'stages',
  'startRatePerSec',
  'maxInFlight',
  'maxFlows',
  'connections',
  'requestTimeout',
  'connectTimeout',
  'maxBodyBytes',
  'maxPageBytes',
  'search',
  'warmup',
  'primeFlows',
];
const STAGE_KEYS = ['duration', 'target', 'vus'];
const CODE_BANK_KEYS = ['size', 'maxAge', 'producers'];
const TARGET_KEYS = ['issuer', 'clientId', 'redirectUri', 'scope', 'username', 'password', 'codeTtlSec', 'client', 'login'];
const MODES = ['flow', 'token', 'refresh', 'client_credentials'] as const;
const LOGIN_KEYS = ['driver', 'usernameField', 'passwordField', 'consentButton', 'module'] as const;
const SLO_KEYS = ['p95Ms', 'errorRate', 'endpoint'];

/** Defaults a scenario may leave out (also shown by the dry-run). */
export const DEFAULTS = {
  mode: 'flow',
  model: 'open',
  maxInFlight: 256,
  connections: 64,
  primeFlows: 20,
  requestTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  codeBank: { size: 256, maxAgeMs: 30_000, producers: 8 },
  scope: 'openid',
  username: 'alice',
  password: 'secret',
  codeTtlSec: 60,
  refreshSessions: 32,
  maxBodyBytes: 1024 * 1024,
  maxPageBytes: 2 * 1024 * 1024,
} as const;

/**
 * Upper bounds on what a scenario may ask for. They keep every loop bounded in count and time and
 * the scheduler responsive to signals (an arrival rate of 1e308 would never yield), and are far
 * above what one machine can drive against a loopback IdP.
 */
export const LIMITS = {
  ratePerSec: 100_000,
  vus: 10_000,
  durationMs: 24 * 3600_000,
  stages: 1000,
  maxInFlight: 100_000,
  maxFlows: 1_000_000_000,
  connections: 10_000,
  primeFlows: 1000,
  requestTimeoutMs: 600_000,
  connectTimeoutMs: 300_000,
  bodyBytes: { min: 1024, max: 256 * 1024 * 1024 },
  codeBankSize: 100_000,
  codeBankProducers: 1024,
} as const;

/**
 * Validates a scenario as written (a parsed JSON/YAML document or a .ts default export) and
 * returns the plan in ms with every default filled in. Throws one `ERR_SCENARIO_INVALID` listing
 * every problem on one line.
 *
 * @example
 * const plan = validateScenario({ load: { ratePerSec: 20, duration: '10s' } }, 'smoke.json');
 * plan.stages; // [{ durationMs: 10000, targetRatePerSec: 20 }]
 */
export function validateScenario(input: unknown, file: string | null): RunPlan {
  const p: Problems = [];
  const plan = buildPlan(input, file, p);
  if (p.length > 0 || plan === null) {
    throw new TokenstormError('ERR_SCENARIO_INVALID', `${file ?? 'scenario'}: ${p.join('; ')}`);
  }
  return plan;
}

function buildPlan(input: unknown, file: string | null, p: Problems): RunPlan | null {
  const root = objectAt(input, '', TOP_KEYS, p);
  if (root === null) return null;
  const name = str(root, 'name', '', p) ?? (file ? basename(file, extname(file)) : 'scenario');
  const description = str(root, 'description', '', p, true) ?? '';
  const mode = oneOf(root, 'mode', '', MODES, p) ?? DEFAULTS.mode;

  const load = readLoad(root.load, p);
  if (mode !== 'flow' && load?.model === 'closed') {
    p.push(`mode ${mode} needs the open model (load.model is closed): requests are scheduled at a rate`);
  }
  const target = readTarget(root.target, file, p);
  if (mode === 'client_credentials' && target.client.auth === 'none') {
    p.push('mode client_credentials needs a confidential client: set target.client.auth (client_secret_basic, client_secret_post or private_key_jwt)');
  }
  const refresh = readRefresh(root.refresh, p);
  const codeBank = readCodeBank(root.codeBank, p);
  if (target.issuer === null && codeBank.maxAgeMs >= target.codeTtlSec * 1000) {
    p.push(
      `codeBank.maxAge (${formatDuration(codeBank.maxAgeMs)}) must be below target.codeTtlSec (${target.codeTtlSec}s): older banked codes would expire at the IdP`,
    );
  }
  const faults = validateFaults(
    root.faults,
    // A search's length is not known in advance: its faults may outlast it (they are removed at the end).
    { totalDurationMs: load?.search ? null : (load?.totalDurationMs ?? null), remote: target.issuer !== null },
    p,
  );
  if (mode !== 'flow' && faults.some((f) => f.clientMix !== undefined)) {
    p.push(`clientMix faults mix buggy clients into flows: they need mode flow (mode is ${mode})`);
  }
  const slo = readSlo(root.slo, p);
  if (load?.search && slo.p95Ms === null && slo.errorRate === null) {
    p.push('load.search needs an SLO to judge its steps: set slo.p95Ms (and slo.errorRate, default 1% for a search)');
  }
  const thresholds = readThresholds(root.thresholds, p);
  const expectFailures = readExpectFailures(root.expectFailures, p);
  const probes = validateProbes(root.probes, p);
  if (load === null) return null;
  // A warmup runs before the stages at their starting load; fault times stay relative to the end
  // of the warmup (the scenario's clock), so they are shifted into the run's clock here.
  const warm = withWarmup(load, faults);
  return {
    name,
    description,
    file,
    mode,
    ...warm.load,
    codeBank,
    refresh,
    target,
    faults: warm.faults,
    slo,
    thresholds,
    expectFailures,
    ...(probes ? { probes } : {}),
  };
}

function withWarmup(load: LoadPlan, faults: RunPlan['faults']): { load: LoadPlan; faults: RunPlan['faults'] } {
  const warmupMs = load.warmupMs ?? 0;
  if (warmupMs <= 0) return { load, faults };
  const first = load.stages[0]!;
  const open = load.model === 'open';
  // Open: the rate the stages start at (a ramp from 0 warms at its first target instead: 0/s warms nothing).
  const warmRate = load.startRatePerSec > 0 ? load.startRatePerSec : (first.targetRatePerSec ?? 0);
  const stage: Stage = open ? { durationMs: warmupMs, targetRatePerSec: warmRate } : { durationMs: warmupMs, vus: first.vus ?? 0 };
  return {
    load: { ...load, stages: [stage, ...load.stages], startRatePerSec: open ? warmRate : 0, totalDurationMs: load.totalDurationMs + warmupMs },
    faults: faults.map((f) => ({ ...f, atMs: f.atMs + warmupMs })),
  };
}

type LoadPlan = Pick<
  RunPlan,
  | 'warmupMs'
  | 'model'
  | 'stages'
  | 'startRatePerSec'
  | 'totalDurationMs'
  | 'maxInFlight'
  | 'maxFlows'
  | 'connections'
  | 'primeFlows'
  | 'requestTimeoutMs'
  | 'connectTimeoutMs'
  | 'maxBodyBytes'
  | 'maxPageBytes'
  | 'search'
>;

function readLoad(v: unknown, p: Problems): LoadPlan | null {
  if (v === undefined) {
    p.push('load is required (load.ratePerSec with load.duration, or load.stages)');
    return null;
  }
  const load = objectAt(v, 'load', LOAD_KEYS, p);
  if (load === null) return null;
  const before = p.length;
  const model = oneOf(load, 'model', 'load', ['open', 'closed'] as const, p) ?? DEFAULTS.model;
  const open = model === 'open';
  const rate = num(load, 'ratePerSec', 'load', { above: 0, max: LIMITS.ratePerSec }, p);
  const vus = num(load, 'vus', 'load', { integer: true, min: 1, max: LIMITS.vus }, p);
  const durationMs = dur(load, 'duration', 'load', { positive: true, maxMs: LIMITS.durationMs }, p);
  const startRate = num(load, 'startRatePerSec', 'load', { min: 0, max: LIMITS.ratePerSec }, p);
  const bytes = { integer: true, min: LIMITS.bodyBytes.min, max: LIMITS.bodyBytes.max };
  const warmupMs = dur(load, 'warmup', 'load', { positive: true, maxMs: LIMITS.durationMs }, p);
  const bounds = {
    maxInFlight: num(load, 'maxInFlight', 'load', { integer: true, min: 1, max: LIMITS.maxInFlight }, p) ?? DEFAULTS.maxInFlight,
    maxFlows: num(load, 'maxFlows', 'load', { integer: true, min: 1, max: LIMITS.maxFlows }, p) ?? null,
    connections: num(load, 'connections', 'load', { integer: true, min: 1, max: LIMITS.connections }, p) ?? DEFAULTS.connections,
    primeFlows: num(load, 'primeFlows', 'load', { integer: true, min: 0, max: LIMITS.primeFlows }, p) ?? DEFAULTS.primeFlows,
    requestTimeoutMs: dur(load, 'requestTimeout', 'load', { positive: true, maxMs: LIMITS.requestTimeoutMs }, p) ?? DEFAULTS.requestTimeoutMs,
    connectTimeoutMs: dur(load, 'connectTimeout', 'load', { positive: true, maxMs: LIMITS.connectTimeoutMs }, p) ?? DEFAULTS.connectTimeoutMs,
    maxBodyBytes: num(load, 'maxBodyBytes', 'load', bytes, p) ?? DEFAULTS.maxBodyBytes,
    maxPageBytes: num(load, 'maxPageBytes', 'load', bytes, p) ?? DEFAULTS.maxPageBytes,
  };
  const wrongModel = (key: string, only: string): void => {
    if (load[key] !== undefined) p.push(`load.${key} is only for the ${only} model (load.model is ${model})`);
  };
  wrongModel(open ? 'vus' : 'ratePerSec', open ? 'closed' : 'open');
  if (!open) wrongModel('startRatePerSec', 'open');

  let stages: Stage[] = [];
  let startRatePerSec = 0;
  if (load.search !== undefined) {
    // A search decides its own rates: nothing else may shape the load.
    for (const key of ['ratePerSec', 'vus', 'duration', 'stages', 'startRatePerSec']) {
      if (load[key] !== undefined) p.push(`load.${key} cannot be combined with load.search (the search chooses its rates; give load.search.startRatePerSec)`);
    }
    if (!open) p.push('load.search needs the open model (load.model is closed): steps are arrival rates');
    const search = readSearch(load.search, p);
    if (p.length > before || search === null) return null;
    return { model, stages: [], startRatePerSec: search.plan.startRatePerSec, totalDurationMs: search.maxDurationMs, search: search.plan, ...bounds };
  }
  if (load.stages !== undefined) {
    // k6 semantics: either a constant shape or stages, never both.
    for (const key of ['ratePerSec', 'vus', 'duration']) {
      if (load[key] !== undefined) p.push(`load.${key} cannot be combined with load.stages (give one or the other)`);
    }
    stages = readStages(load.stages, open, p);
    startRatePerSec = open ? (startRate ?? 0) : 0;
  } else {
    if (load.startRatePerSec !== undefined) p.push('load.startRatePerSec is only used with load.stages');
    if (load.duration === undefined) p.push('load.duration is required (or give load.stages)');
    if (open && load.ratePerSec === undefined) p.push('load.ratePerSec is required for the open model (or give load.stages)');
    if (!open && load.vus === undefined) p.push('load.vus is required for the closed model (or give load.stages)');
    if (durationMs !== undefined && open && rate !== undefined) {
      stages = [{ durationMs, targetRatePerSec: rate }];
      startRatePerSec = rate;
    } else if (durationMs !== undefined && !open && vus !== undefined) {
      stages = [{ durationMs, vus }];
    }
  }
  if (p.length > before || stages.length === 0) return null;
  const totalDurationMs = stages.reduce((sum, s) => sum + s.durationMs, 0);
  if (totalDurationMs > LIMITS.durationMs) {
    p.push(`load.stages last ${formatDuration(totalDurationMs)} in all; at most ${formatDuration(LIMITS.durationMs)} is allowed`);
    return null;
  }
  return { model, stages, startRatePerSec, totalDurationMs, search: null, ...(warmupMs !== undefined ? { warmupMs } : {}), ...bounds };
}

function readStages(v: unknown, open: boolean, p: Problems): Stage[] {
  const list = arrayAt(v, 'load.stages', p);
  if (list === null) return [];
  if (list.length === 0) p.push('load.stages must not be empty');
  if (list.length > LIMITS.stages) {
    p.push(`load.stages has ${list.length} stages; at most ${LIMITS.stages} are allowed`);
    return [];
  }
  const stages: Stage[] = [];
  list.forEach((item, i) => {
    const path = `load.stages[${i}]`;
    const s = objectAt(item, path, STAGE_KEYS, p);
    if (s === null) return;
    const durationMs = dur(s, 'duration', path, { positive: true, maxMs: LIMITS.durationMs }, p);
    if (s.duration === undefined) p.push(`${path}.duration is required`);
    const key = open ? 'target' : 'vus';
    const other = open ? 'vus' : 'target';
    if (s[other] !== undefined) p.push(`${path}.${other} is only for the ${open ? 'closed' : 'open'} model (use ${key})`);
    if (s[key] === undefined) p.push(`${path}.${key} is required for the ${open ? 'open' : 'closed'} model`);
    const value = open
      ? num(s, 'target', path, { min: 0, max: LIMITS.ratePerSec }, p)
      : num(s, 'vus', path, { integer: true, min: 0, max: LIMITS.vus }, p);
    if (durationMs === undefined || value === undefined) return;
    stages.push(open ? { durationMs, targetRatePerSec: value } : { durationMs, vus: value });
  });
  return stages;
}

function readCodeBank(v: unknown, p: Problems): RunPlan['codeBank'] {
  const d = DEFAULTS.codeBank;
  const o = v === undefined ? {} : objectAt(v, 'codeBank', CODE_BANK_KEYS, p);
  if (o === null) return { ...d };
  return {
    size: num(o, 'size', 'codeBank', { integer: true, min: 1, max: LIMITS.codeBankSize }, p) ?? d.size,
    maxAgeMs: dur(o, 'maxAge', 'codeBank', { positive: true, maxMs: LIMITS.durationMs }, p) ?? d.maxAgeMs,
    producers: num(o, 'producers', 'codeBank', { integer: true, min: 1, max: LIMITS.codeBankProducers }, p) ?? d.producers,
  };
}

function readTarget(v: unknown, file: string | null, p: Problems): RunPlan['target'] {
  const o: Obj = (v === undefined ? {} : objectAt(v, 'target', TARGET_KEYS, p)) ?? {};
  const issuer = str(o, 'issuer', 'target', p);
  if (issuer !== undefined) {
    const problem = loopbackProblem(issuer);
    if (problem) p.push(`target.issuer ${problem}`);
  }
  const redirectUri = str(o, 'redirectUri', 'target', p);
  if (redirectUri !== undefined && !URL.canParse(redirectUri)) {
    p.push(`target.redirectUri must be an absolute URL (got ${JSON.stringify(redirectUri)})`);
  }
  return {
    issuer: issuer ?? null,
    clientId: str(o, 'clientId', 'target', p) ?? null,
    redirectUri: redirectUri ?? null,
    scope: str(o, 'scope', 'target', p) ?? DEFAULTS.scope,
    username: str(o, 'username', 'target', p) ?? DEFAULTS.username,
    password: secretAt(o, 'password', 'target', p) ?? DEFAULTS.password,
    codeTtlSec: num(o, 'codeTtlSec', 'target', { integer: true, min: 1 }, p) ?? DEFAULTS.codeTtlSec,
    client: readClient(o.client, p),
    login: readLogin(o.login, file, p),
  };
}

function readRefresh(v: unknown, p: Problems): RunPlan['refresh'] {
  const o: Obj = (v === undefined ? {} : objectAt(v, 'refresh', ['sessions'], p)) ?? {};
  return { sessions: num(o, 'sessions', 'refresh', { integer: true, min: 1, max: 10_000 }, p) ?? DEFAULTS.refreshSessions };
}

function readLogin(v: unknown, file: string | null, p: Problems): LoginOptions {
  const o: Obj = (v === undefined ? {} : objectAt(v, 'target.login', LOGIN_KEYS, p)) ?? {};
  const driver = oneOf(o, 'driver', 'target.login', LOGIN_DRIVER_NAMES, p) ?? 'oidc-provider';
  const accepts: readonly string[] = LOGIN_DRIVERS[driver].accepts;
  const out: LoginOptions = { driver };
  for (const key of LOGIN_KEYS) {
    if (key === 'driver' || o[key] === undefined) continue;
    if (!accepts.includes(key)) {
      p.push(`target.login.${key} does not apply to the ${driver} driver (${accepts.length > 0 ? `it takes ${accepts.join(', ')}` : 'it takes no options'})`);
      continue;
    }
    const value = str(o, key, 'target.login', p);
    if (value === undefined) continue;
    // A module path is relative to the scenario file, like an import.
    out[key] = key === 'module' ? resolve(file === null ? '.' : dirname(file), value) : value;
  }
  if (out.module !== undefined && !existsSync(out.module)) p.push(`target.login.module file not found: ${out.module}`);
  if (driver === 'script' && out.module === undefined && o.module === undefined) {
    p.push('target.login.module is required for the script driver (a .ts file exporting login(ctx))');
  }
  return out;
}

function readSlo(v: unknown, p: Problems): RunPlan['slo'] {
  const o: Obj = (v === undefined ? {} : objectAt(v, 'slo', SLO_KEYS, p)) ?? {};
  return {
    p95Ms: num(o, 'p95Ms', 'slo', { above: 0 }, p) ?? null,
    errorRate: num(o, 'errorRate', 'slo', { min: 0, max: 1 }, p) ?? null,
    endpoint: oneOf(o, 'endpoint', 'slo', ENDPOINT_CLASSES, p) ?? 'token',
  };
}

function readThresholds(v: unknown, p: Problems): string[] {
  if (v === undefined) return [];
  const list = arrayAt(v, 'thresholds', p);
  if (list === null) return [];
  const out: string[] = [];
  list.forEach((expr, i) => {
    if (typeof expr !== 'string') {
      p.push(`thresholds[${i}] must be a string like 'token:p(95)<200' (got ${typeof expr})`);
      return;
    }
    try {
      parseThreshold(expr);
      out.push(expr);
    } catch (err) {
      // parseThreshold says `threshold "<expr>": <what>`; here the index says which one.
      p.push(`thresholds[${i}] ${(err as Error).message.replace(/^threshold /, '')}`);
    }
  });
  return out;
}

function readExpectFailures(v: unknown, p: Problems): FailureClass[] {
  if (v === undefined) return [];
  const list = arrayAt(v, 'expectFailures', p);
  if (list === null) return [];
  const out: FailureClass[] = [];
  list.forEach((c, i) => {
    if (typeof c === 'string' && (FAILURE_CLASSES as readonly string[]).includes(c)) out.push(c as FailureClass);
    else p.push(`expectFailures[${i}] ${enumProblem(c, FAILURE_CLASSES)}`);
  });
  return out;
}
