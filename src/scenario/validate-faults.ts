/**
 * Validation of the fault timeline: each fault is one Toxiproxy toxic, a proxy taken down, an IdP
 * clock jump or an IdP misbehaviour, at a time inside the run. Names are generated so that reports
 * and phases read like `token latency 300ms` without the author naming anything.
 */
import { arrayAt, at, dur, num, objectAt, oneOf, str } from './checks.ts';
import type { Obj, Problems } from './checks.ts';
import { formatDuration, typeName } from './duration.ts';
import { nearest } from '../suggest.ts';
import type { Fault, FaultEndpoint, ToxicInput } from './types.ts';
import { IDP_MODE_NAMES } from '../idp/modes.ts';

const FAULT_KEYS = ['at', 'for', 'endpoint', 'toxic', 'down', 'clockSkewMs', 'idpMode', 'clientMix', 'name'] as const;
const FAULT_KINDS = ['toxic', 'down', 'clockSkewMs', 'idpMode', 'clientMix'] as const;
const CLIENT_MIX_KINDS = ['F1', 'F2', 'F5', 'F8', 'retry-reuse'] as const;
const TOXIC_KEYS = ['type', 'name', 'stream', 'toxicity', 'attributes'] as const;
const FAULT_ENDPOINTS: readonly FaultEndpoint[] = ['authorize', 'token', 'idp'];

/** Toxiproxy's toxic types and the integer attributes each takes (shared/TOXIPROXY.md). */
export const TOXIC_ATTRIBUTES: Record<ToxicInput['type'], readonly string[]> = {
  latency: ['latency', 'jitter'],
  bandwidth: ['rate'],
  slow_close: ['delay'],
  timeout: ['timeout'],
  reset_peer: ['timeout'],
  slicer: ['average_size', 'size_variation', 'delay'],
  limit_data: ['bytes'],
  noop: [],
};
const TOXIC_TYPES = Object.keys(TOXIC_ATTRIBUTES) as ToxicInput['type'][];

/** Context the fault checks need from the rest of the scenario. */
export interface FaultContext {
  /** Total run length, or null when the load section was invalid (timing checks are skipped). */
  totalDurationMs: number | null;
  /** True when the target is a remote issuer (no embedded IdP to misbehave). */
  remote: boolean;
}

/** Validates `faults` (absent → []); problems go to `p`. */
export function validateFaults(v: unknown, ctx: FaultContext, p: Problems): Fault[] {
  if (v === undefined) return [];
  const list = arrayAt(v, 'faults', p);
  if (list === null) return [];
  const faults: Fault[] = [];
  list.forEach((item, i) => {
    const fault = validateFault(item, `faults[${i}]`, ctx, p);
    if (fault !== null) faults.push(fault);
  });
  if (faults.length === list.length) checkConflicts(faults, p);
  return faults;
}

/** What a fault holds exclusively while active: undoing one would undo the other's effect too. */
function resources(f: Fault): string[] {
  const routes = f.endpoint === 'idp' ? ['authorize', 'token'] : [f.endpoint];
  if (f.down) return routes.map((r) => `the ${r} proxy's enabled flag`);
  if (f.clockSkewMs !== undefined) return ['the IdP clock'];
  if (f.idpMode !== undefined) return ['the IdP mode'];
  if (f.clientMix !== undefined) return ['the client mix'];
  // Toxic names are unique per proxy: an explicit name used twice at once would be refused (409).
  if (f.toxic?.name !== undefined) return routes.map((r) => `toxic name ${JSON.stringify(f.toxic!.name)} on the ${r} proxy`);
  return [];
}

/**
 * Names must be unique (phases and game-day results are keyed by them), and two faults that hold
 * the same thing (a proxy's enabled flag, the IdP clock) must not overlap in time.
 */
function checkConflicts(faults: Fault[], p: Problems): void {
  const seen = new Map<string, number>();
  faults.forEach((f, i) => {
    const j = seen.get(f.name);
    if (j !== undefined) p.push(`faults[${i}] has the same name as faults[${j}] (${JSON.stringify(f.name)}): give one a name`);
    else seen.set(f.name, i);
  });
  for (let i = 0; i < faults.length; i++) {
    for (let j = i + 1; j < faults.length; j++) {
      const a = faults[i]!;
      const b = faults[j]!;
      if (!(a.atMs < b.atMs + b.forMs && b.atMs < a.atMs + a.forMs)) continue;
      const shared = resources(a).find((r) => resources(b).includes(r));
      if (shared) p.push(`faults[${i}] and faults[${j}] overlap in time and both change ${shared}: move one`);
    }
  }
}

function validateFault(v: unknown, path: string, ctx: FaultContext, p: Problems): Fault | null {
  const f = objectAt(v, path, FAULT_KEYS, p);
  if (f === null) return null;
  const before = p.length;
  const atMs = dur(f, 'at', path, {}, p);
  const forMs = dur(f, 'for', path, { positive: true }, p);
  if (f.at === undefined) p.push(`${at(path, 'at')} is required`);
  if (f.for === undefined) p.push(`${at(path, 'for')} is required`);
  const endpointGiven = oneOf(f, 'endpoint', path, FAULT_ENDPOINTS, p);
  const name = str(f, 'name', path, p);

  const kinds = FAULT_KINDS.filter((k) => f[k] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none' : kinds.join(' and ');
    p.push(`${path} needs exactly one of ${FAULT_KINDS.join(', ')} (got ${got})`);
  }
  const fault: Fault = { name: '', atMs: atMs ?? 0, forMs: forMs ?? 0, endpoint: endpointGiven ?? 'token' };
  if (f.toxic !== undefined) {
    const toxic = validateToxic(f.toxic, at(path, 'toxic'), p);
    if (toxic !== null) fault.toxic = toxic;
  }
  if (f.down !== undefined) {
    if (f.down === true) fault.down = true;
    else p.push(`${at(path, 'down')} must be true (got ${JSON.stringify(f.down) ?? typeName(f.down)}; leave it out otherwise)`);
  }
  if (f.clockSkewMs !== undefined) {
    const skew = num(f, 'clockSkewMs', path, { integer: true, min: -MAX_CLOCK_SKEW_MS, max: MAX_CLOCK_SKEW_MS }, p);
    if (skew === 0) p.push(`${at(path, 'clockSkewMs')} must not be 0 (a skew of 0 is no fault)`);
    else if (skew !== undefined) fault.clockSkewMs = skew;
    idpOnly(endpointGiven, 'clockSkewMs', path, p);
    // The clock belongs to the IdP (or, for a remote issuer, the harness's view of it), not a route.
    fault.endpoint = 'idp';
  }
  if (f.idpMode !== undefined) {
    const mode = oneOf(f, 'idpMode', path, IDP_MODE_NAMES, p);
    if (mode !== undefined) fault.idpMode = mode;
    if (ctx.remote) p.push(`${at(path, 'idpMode')} needs the embedded IdP (target.issuer is set)`);
    idpOnly(endpointGiven, 'idpMode', path, p);
    fault.endpoint = 'idp';
  }
  if (f.clientMix !== undefined) {
    const mixPath = at(path, 'clientMix');
    const m = objectAt(f.clientMix, mixPath, ['kind', 'fraction'], p);
    if (m) {
      const kind = oneOf(m, 'kind', mixPath, CLIENT_MIX_KINDS, p);
      const fraction = num(m, 'fraction', mixPath, { above: 0, max: 1 }, p);
      if (m.kind === undefined) p.push(`${at(mixPath, 'kind')} is required (one of ${CLIENT_MIX_KINDS.join(', ')})`);
      if (m.fraction === undefined) p.push(`${at(mixPath, 'fraction')} is required (the share of flows, e.g. 0.1)`);
      if (kind !== undefined && fraction !== undefined) fault.clientMix = { kind, fraction };
    }
    // A client's behaviour is not a route's: the mix applies to the flows, whatever they reach.
    idpOnly(endpointGiven, 'clientMix', path, p);
    fault.endpoint = 'idp';
  }
  if (atMs !== undefined && forMs !== undefined && ctx.totalDurationMs !== null) {
    const endMs = ctx.totalDurationMs;
    if (atMs >= endMs) {
      const when = atMs > endMs ? 'is after the run ends' : 'is when the run ends';
      p.push(`${at(path, 'at')} (${formatDuration(atMs)}) ${when} (${formatDuration(endMs)})`);
    } else if (atMs + forMs > endMs) {
      p.push(`${path} ends at ${formatDuration(atMs + forMs)}, after the run ends (${formatDuration(endMs)})`);
    }
  }
  if (p.length > before) return null;
  fault.name = name ?? faultName(fault);
  return fault;
}

function idpOnly(endpoint: FaultEndpoint | undefined, kind: string, path: string, p: Problems): void {
  if (endpoint !== undefined && endpoint !== 'idp') {
    p.push(`${at(path, 'endpoint')} must be idp for ${kind} (got ${JSON.stringify(endpoint)}; leave it out)`);
  }
}

function validateToxic(v: unknown, path: string, p: Problems): ToxicInput | null {
  const t = objectAt(v, path, TOXIC_KEYS, p);
  if (t === null) return null;
  const before = p.length;
  let type: ToxicInput['type'] | undefined;
  if (t.type === undefined) p.push(`${at(path, 'type')} is required (one of ${TOXIC_TYPES.join(', ')})`);
  else if (t.type === 'down') {
    p.push(`${at(path, 'type')} "down" is not a Toxiproxy toxic (use down: true on the fault)`);
  } else type = oneOf(t, 'type', path, TOXIC_TYPES, p);
  const toxic: ToxicInput = { type: type ?? 'noop' };
  const name = str(t, 'name', path, p);
  if (name !== undefined) toxic.name = name;
  const stream = oneOf(t, 'stream', path, ['upstream', 'downstream'] as const, p);
  if (stream !== undefined) toxic.stream = stream;
  const toxicity = num(t, 'toxicity', path, { min: 0, max: 1 }, p);
  if (toxicity !== undefined) toxic.toxicity = toxicity;
  if (t.attributes !== undefined) {
    const attributes = validateAttributes(t.attributes, at(path, 'attributes'), type, p);
    if (attributes !== null) toxic.attributes = attributes;
  }
  return p.length > before ? null : toxic;
}

function validateAttributes(
  v: unknown,
  path: string,
  type: ToxicInput['type'] | undefined,
  p: Problems,
): Record<string, number> | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    p.push(`${path} must be an object (got ${typeName(v)})`);
    return null;
  }
  const a = v as Obj;
  // With an invalid type the attribute names cannot be checked; the type problem is reported already.
  const known = type === undefined ? null : TOXIC_ATTRIBUTES[type];
  const out: Record<string, number> = {};
  for (const key of Object.keys(a)) {
    if (known !== null && !known.includes(key)) {
      // Toxiproxy ignores unknown attributes, so a typo would silently inject nothing.
      const guess = nearest(key, known);
      const help = guess ? `did you mean ${at(path, guess)}?` : `${type} takes ${known.join(', ') || 'no attributes'}`;
      p.push(`${at(path, key)} is not a known key (${help})`);
      continue;
    }
    const min = type === 'slicer' && key === 'average_size' ? 1 : 0;
    const value = readAttribute(a, key, path, min, p);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Largest toxic attribute: Toxiproxy's attributes are Go ints, and a latency of 2^31 ms is 24 days. */
export const MAX_TOXIC_ATTRIBUTE = 2_147_483_647;
/** Largest clock skew a fault may apply: a year either way (Date arithmetic beyond it is meaningless). */
export const MAX_CLOCK_SKEW_MS = 365 * 24 * 3600_000;

function readAttribute(a: Obj, key: string, path: string, min: number, p: Problems): number | undefined {
  const v = a[key];
  if (typeof v === 'number' && Number.isInteger(v) && v > MAX_TOXIC_ATTRIBUTE) {
    p.push(`${at(path, key)} must be at most ${MAX_TOXIC_ATTRIBUTE} (got ${v})`);
    return undefined;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
  const got = typeof v === 'number' ? String(v) : typeName(v);
  if (min === 0) p.push(`${at(path, key)} must be a non-negative integer (got ${got})`);
  else p.push(`${at(path, key)} must be an integer >= ${min} (got ${got}; 0 crashes Toxiproxy)`);
  return undefined;
}

/**
 * A fault's default name: `token latency 300ms`, `token down`, `idp clock +120s`.
 *
 * @example
 * faultName({ name: '', atMs: 0, forMs: 1000, endpoint: 'token', down: true }); // 'token down'
 */
export function faultName(f: Fault): string {
  if (f.clockSkewMs !== undefined) return `idp clock ${f.clockSkewMs > 0 ? '+' : '-'}${formatDuration(Math.abs(f.clockSkewMs))}`;
  if (f.idpMode !== undefined) return `idp ${f.idpMode}`;
  if (f.clientMix !== undefined) return `clients ${f.clientMix.kind} ${Math.round(f.clientMix.fraction * 1000) / 10}%`;
  if (f.down) return `${f.endpoint} down`;
  if (f.toxic) return `${f.endpoint} ${toxicWords(f.toxic)}`;
  return f.endpoint;
}

/** A toxic in words: `latency 300ms ±50ms`, `bandwidth 100KB/s (50%)`. */
export function toxicWords(t: ToxicInput): string {
  const a = t.attributes ?? {};
  const parts: string[] = [t.type];
  switch (t.type) {
    case 'latency':
      parts.push(`${a.latency ?? 0}ms`);
      if (a.jitter) parts.push(`±${a.jitter}ms`);
      break;
    case 'bandwidth':
      parts.push(`${a.rate ?? 0}KB/s`);
      break;
    case 'slow_close':
      parts.push(`${a.delay ?? 0}ms`);
      break;
    case 'timeout':
    case 'reset_peer':
      if (a.timeout) parts.push(`${a.timeout}ms`);
      break;
    case 'slicer':
      if (a.average_size) parts.push(`${a.average_size}B`);
      break;
    case 'limit_data':
      parts.push(`${a.bytes ?? 0}B`);
      break;
    case 'noop':
      break;
  }
  if (t.stream === 'upstream') parts.push('upstream');
  if (t.toxicity !== undefined && t.toxicity < 1) parts.push(`(${Math.round(t.toxicity * 100)}%)`);
  return parts.join(' ');
}
