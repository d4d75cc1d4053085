/**
 * Validation of a scenario's `probes` section: which security probes run (`only` / `except` by id),
 * how often they are mixed into the load (`ratePerSec`), and what the probes cannot learn from a
 * remote IdP (its code lifetime, a second client).
 */
import { PROBES } from '../probe/registry.ts';
import { arrayAt, at, dur, num, objectAt, str } from './checks.ts';
import type { Problems } from './checks.ts';
import { nearest } from '../suggest.ts';
import type { ProbesPlan } from './types.ts';

const PROBES_KEYS = ['ratePerSec', 'only', 'except', 'codeTtlSec', 'secondClientId', 'parallelRedemptions', 'maxWait'] as const;
const PROBE_IDS = PROBES.map((p) => p.id);

function ids(v: unknown, path: string, p: Problems): string[] {
  if (v === undefined) return [];
  const list = arrayAt(v, path, p);
  if (list === null) return [];
  const out: string[] = [];
  list.forEach((item, i) => {
    const known = typeof item === 'string' ? PROBE_IDS.find((id) => id.toLowerCase() === item.toLowerCase()) : undefined;
    if (known) out.push(known);
    else {
      const guess = typeof item === 'string' ? nearest(item, PROBE_IDS) : undefined;
      p.push(`${path}[${i}] is not a probe id (${guess ? `did you mean ${guess}?` : `one of ${PROBE_IDS.join(', ')}`})`);
    }
  });
  return out;
}

/**
 * Validates `probes` (absent → undefined).
 *
 * @example
 * validateProbes({ ratePerSec: 1, only: ['P9'] }, problems); // { ratePerSec: 1, only: ['P9'], ... }
 */
export function validateProbes(v: unknown, p: Problems): ProbesPlan | undefined {
  if (v === undefined) return undefined;
  const o = objectAt(v, 'probes', PROBES_KEYS, p);
  if (o === null) return undefined;
  const ratePerSec = num(o, 'ratePerSec', 'probes', { above: 0 }, p);
  return {
    ratePerSec: ratePerSec ?? null,
    only: ids(o.only, at('probes', 'only'), p),
    except: ids(o.except, at('probes', 'except'), p),
    codeTtlSec: num(o, 'codeTtlSec', 'probes', { integer: true, min: 1 }, p) ?? null,
    secondClientId: str(o, 'secondClientId', 'probes', p) ?? null,
    parallelRedemptions: num(o, 'parallelRedemptions', 'probes', { integer: true, min: 2, max: 64 }, p) ?? 8,
    maxWaitMs: dur(o, 'maxWait', 'probes', { positive: true }, p) ?? 15_000,
  };
}
