/**
 * The layering of src/ (docs/ARCHITECTURE.md): each folder is a stage of the data flow and may
 * import only from stages below it, plus a few shared modules (errors, paths, loopback, the report
 * and scenario types). A new folder must be placed here before it can be used.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

// Lowest first. A module may import its own layer and any layer listed before it.
const LAYERS: string[][] = [
  ['metrics'],
  ['pkce'],
  ['idp'],
  ['flow'],
  ['load'],
  ['chaos'],
  ['target'],
  ['probe'],
  ['report'],
  ['scenario'],
  ['export', 'k6'],
  ['run', 'run.ts'],
  ['index.ts'],
  ['cli', 'bench'],
];

// Imported from anywhere: the error table, file locations, the loopback rule, "did you mean", loading on first use, and type-only modules.
const SHARED = new Set(['shim.ts', 'errors.ts', 'paths.ts', 'loopback.ts', 'suggest.ts', 'lazy-require.ts', 'report/schema.ts', 'scenario/types.ts']);

function layerOf(rel: string): number {
  const top = rel.split('/')[0]!;
  const i = LAYERS.findIndex((names) => names.includes(top));
  return i;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const IMPORT = /(?:from|import\()\s*'(\.[^']+)'/g;

describe('src/ layering', () => {
  const files = walk(SRC).map((f) => relative(SRC, f));

  it('places every file in a known layer', () => {
    const unplaced = files.filter((f) => !SHARED.has(f) && layerOf(f) < 0 && !f.endsWith('.d.ts'));
    expect(unplaced).toEqual([]);
  });

  it('never imports from a layer above the importer', () => {
    const violations: string[] = [];
    for (const f of files) {
      if (SHARED.has(f) || f.endsWith('.d.ts')) continue;
      const own = layerOf(f);
      const text = readFileSync(join(SRC, f), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const target = normalize(join(dirname(f), m[1]!));
        if (target.startsWith('..') || SHARED.has(target)) continue;
        if (layerOf(target) > own) violations.push(`${f} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps process.exit in cli/ and child-process entry points only', () => {
    const entryPoints = new Set(['idp/child.ts', 'chaos/fault-child.ts', 'bench/fixed-server.ts']);
    const offenders = files.filter((f) => !f.startsWith('cli/') && !entryPoints.has(f) && /process\.exit\(/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
