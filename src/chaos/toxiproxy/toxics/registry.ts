/**
 * The toxic types the embedded server knows, their attributes (in Toxiproxy's JSON field order)
 * and the checks Toxiproxy itself lacks where a bad value would crash or hang it.
 */
import { LimitDataStage, ResetPeerStage, SlowCloseStage, TimeoutStage } from './closing.ts';
import { type ChunkSink, NoopStage, type Stage, type StageInit, type ToxicAttributes } from './stage.ts';
import { BandwidthStage, LatencyStage, SlicerStage } from './timed.ts';

interface ToxicType {
  /** The Go struct behind the type, named in Toxiproxy's decode errors. */
  goName: string;
  /** The Go integer type of its attributes (`int` for the slicer, `int64` elsewhere). */
  goInt?: 'int' | 'int64';
  /** Attribute names in the order Toxiproxy serialises them. */
  attributes: readonly string[];
  /** A problem with the attributes, or undefined. */
  validate?: (attributes: ToxicAttributes) => string | undefined;
  create: (init: StageInit, next: ChunkSink) => Stage;
}

const TYPES: Record<string, ToxicType> = {
  latency: { goName: 'LatencyToxic', attributes: ['latency', 'jitter'], create: (i, n) => new LatencyStage(i, n) },
  bandwidth: {
    goName: 'BandwidthToxic',
    attributes: ['rate'],
    // A negative rate crashes the real server (slice of negative length).
    validate: (a) => ((a['rate'] ?? 0) < 0 ? 'rate must be >= 0' : undefined),
    create: (i, n) => new BandwidthStage(i, n),
  },
  slow_close: { goName: 'SlowCloseToxic', attributes: ['delay'], create: (i, n) => new SlowCloseStage(i, n) },
  timeout: { goName: 'TimeoutToxic', attributes: ['timeout'], create: (i, n) => new TimeoutStage(i, n) },
  reset_peer: { goName: 'ResetToxic', attributes: ['timeout'], create: (i, n) => new ResetPeerStage(i, n) },
  slicer: {
    goName: 'SlicerToxic',
    goInt: 'int',
    attributes: ['average_size', 'size_variation', 'delay'],
    // average_size 0 makes the real server recurse until it crashes.
    validate: (a) => ((a['average_size'] ?? 0) <= 0 ? 'average_size must be > 0' : undefined),
    create: (i, n) => new SlicerStage(i, n),
  },
  limit_data: { goName: 'LimitDataToxic', attributes: ['bytes'], create: (i, n) => new LimitDataStage(i, n) },
  noop: { goName: 'NoopToxic', attributes: [], create: (i, n) => new NoopStage(i, n) },
};

/** True when `type` is a toxic type the server knows (there is no `down`: use enabled:false). */
export function isToxicType(type: string): boolean {
  return Object.hasOwn(TYPES, type);
}

/**
 * Merges `input` (a JSON `attributes` value) over `base` for a toxic type, every attribute present
 * (zeros included, as Toxiproxy shows them). Unknown fields are ignored, `null` keeps the old
 * value. Returns an error message (Go-style, naming the Go types as Toxiproxy 2.12 does) instead
 * of throwing. `on` is where the body came from: a create decodes `attributes` inside
 * `ToxicWrapper` before the type is known (so Go names `toxics.NoopToxic`), an update decodes it
 * into an anonymous struct already typed.
 */
export function mergeAttributes(
  type: string,
  base: ToxicAttributes,
  input: unknown,
  on: 'create' | 'update' = 'create',
): { attributes: ToxicAttributes } | { error: string } {
  const def = TYPES[type]!;
  const out: ToxicAttributes = {};
  for (const name of def.attributes) out[name] = base[name] ?? 0;
  if (input !== undefined && input !== null) {
    if (typeof input !== 'object' || Array.isArray(input)) {
      const where = on === 'create' ? 'ToxicWrapper.attributes of type toxics.NoopToxic' : `.attributes of type toxics.${def.goName}`;
      return { error: `json: cannot unmarshal ${jsonKind(input)} into Go struct field ${where}` };
    }
    const record = input as Record<string, unknown>;
    for (const name of def.attributes) {
      const value = record[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        const shown = typeof value === 'number' ? `number ${value}` : jsonKind(value);
        return { error: `json: cannot unmarshal ${shown} into Go struct field ${def.goName}.attributes.${name} of type ${def.goInt ?? 'int64'}` };
      }
      out[name] = value;
    }
  }
  const problem = def.validate?.(out);
  return problem === undefined ? { attributes: out } : { error: problem };
}

/** Builds the stage for one toxic on one connection direction. */
export function createStage(type: string, init: StageInit, next: ChunkSink): Stage {
  return TYPES[type]!.create(init, next);
}

/** The JSON kind name Go's decoder uses in its messages. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
