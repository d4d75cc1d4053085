/**
 * An unbounded in-memory adapter for oidc-provider with TTL sweeping. The built-in memory adapter is
 * an LRU of 1000 entries: under load it evicts in-flight interactions and codes, which shows up as
 * "interaction session not found" / "authorization code not found" — failures of the harness, not
 * of the IdP. This one only forgets entries after they expire.
 *
 * Deadlines use the monotonic clock, not `Date.now()`: the IdP child skews `Date.now()` for clock
 * experiments, and a forward jump must make codes *expired* (oidc-provider checks `exp` itself and
 * reports "authorization code is expired"), not make them vanish ("not found"). Entries are kept a
 * grace period past their TTL for the same reason, and a backward skew extends that grace.
 */
import { performance } from 'node:perf_hooks';
import { clockOffsetMs } from './clock.ts';

/** Payload oidc-provider stores; only the fields this adapter indexes are typed. */
export interface AdapterPayload {
  uid?: string;
  userCode?: string;
  grantId?: string;
  consumed?: number;
  [key: string]: unknown;
}

interface Entry {
  payload: AdapterPayload;
  /** performance.now() after which the entry may be swept; Infinity when stored without TTL. */
  deadlineMono: number;
}

/** Options for {@link createMapAdapter}. */
export interface MapAdapterOptions {
  /** Seconds an entry outlives its TTL so expiry is reported as "expired", not "not found". */
  graceSec?: number;
  /** How often expired entries are swept. */
  sweepIntervalMs?: number;
  /** Read on every consume: true leaves the entry unconsumed (the reusable-codes fault mode). */
  skipConsume?: (model: string) => boolean;
}

/** The adapter class oidc-provider instantiates once per model name, plus store controls. */
export interface MapAdapterStore {
  /** Pass as `adapter` in the provider configuration. */
  Adapter: new (model: string) => OidcAdapter;
  /** Number of stored entries (all models). */
  size(): number;
  /** The stored payload of `model` `id` itself (not a copy), for the fault modes that tamper with it. */
  peek(model: string, id: string): AdapterPayload | undefined;
  /** Removes expired entries now; returns how many were removed. */
  sweep(): number;
  /** Stops the sweep timer (it is unref'd, so this is only needed for tidy shutdowns). */
  close(): void;
}

/** The adapter interface oidc-provider 9 calls. */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

// Models whose entries belong to a grant and go when the grant is revoked (code reuse, logout).
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * Creates one shared store and the adapter class bound to it.
 *
 * @example
 * const store = createMapAdapter({ graceSec: 30 });
 * const provider = new Provider(issuer, { adapter: store.Adapter, ... });
 */
export function createMapAdapter(options: MapAdapterOptions = {}): MapAdapterStore {
  const graceMs = (options.graceSec ?? 30) * 1000;
  const entries = new Map<string, Entry>();
  const sessionUids = new Map<string, string>();
  const userCodes = new Map<string, string>();
  const grantMembers = new Map<string, Set<string>>();

  const removeIndexes = (key: string, id: string, payload: AdapterPayload): void => {
    if (payload.uid !== undefined && sessionUids.get(payload.uid) === id) sessionUids.delete(payload.uid);
    if (payload.userCode !== undefined && userCodes.get(payload.userCode) === id) userCodes.delete(payload.userCode);
    if (payload.grantId !== undefined) {
      const members = grantMembers.get(payload.grantId);
      if (members) {
        members.delete(key);
        if (members.size === 0) grantMembers.delete(payload.grantId);
      }
    }
  };

  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    removeIndexes(key, key.slice(key.indexOf(':') + 1), entry.payload);
  };

  const sweep = (): number => {
    // A backward skew makes the provider treat entries as valid for longer; keep them that long too.
    const nowMono = performance.now() - Math.max(0, -clockOffsetMs());
    let removed = 0;
    for (const [key, entry] of entries) {
      if (entry.deadlineMono < nowMono) {
        remove(key);
        removed += 1;
      }
    }
    return removed;
  };

  const timer = setInterval(sweep, options.sweepIntervalMs ?? 5000);
  timer.unref();

  class MapAdapter implements OidcAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const key = this.key(id);
      const previous = entries.get(key);
      if (previous) removeIndexes(key, id, previous.payload);
      const deadlineMono =
        typeof expiresIn === 'number' ? performance.now() + expiresIn * 1000 + graceMs : Number.POSITIVE_INFINITY;
      entries.set(key, { payload, deadlineMono });
      if (this.model === 'Session' && payload.uid !== undefined) sessionUids.set(payload.uid, id);
      if (payload.userCode !== undefined) userCodes.set(payload.userCode, id);
      if (GRANTABLE.has(this.model) && payload.grantId !== undefined) {
        let members = grantMembers.get(payload.grantId);
        if (!members) {
          members = new Set();
          grantMembers.set(payload.grantId, members);
        }
        members.add(key);
      }
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return entries.get(this.key(id))?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = sessionUids.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = userCodes.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      if (options.skipConsume?.(this.model)) return;
      const entry = entries.get(this.key(id));
      // Seconds since the epoch on the (possibly skewed) IdP clock, as oidc-provider expects.
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      remove(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const members = grantMembers.get(grantId);
      if (!members) return;
      for (const key of [...members]) remove(key);
      grantMembers.delete(grantId);
    }
  }

  return {
    Adapter: MapAdapter,
    size: () => entries.size,
    peek: (model, id) => entries.get(`${model}:${id}`)?.payload,
    sweep,
    close: () => clearInterval(timer),
  };
}
