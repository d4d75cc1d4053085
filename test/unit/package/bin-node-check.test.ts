/**
 * bin/tokenstorm.js checks the Node version before it loads the bundle. Its minimum is written in
 * the bin (in syntax an old Node parses) and must be the one package.json `engines` declares. The
 * real old-Node run is in test/integration/package/pack.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

describe('bin/tokenstorm.js Node check', () => {
  it('MIN_NODE equals package.json engines.node', async () => {
    const bin = await readFile(join(root, 'bin/tokenstorm.js'), 'utf8');
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const min = /var MIN_NODE = \[(\d+), (\d+), (\d+)\];/.exec(bin);
    expect(min, 'bin/tokenstorm.js declares var MIN_NODE = [major, minor, patch]').not.toBeNull();
    const engines = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(pkg.engines.node);
    expect(engines, `engines.node is a plain lower bound (${pkg.engines.node})`).not.toBeNull();
    expect(min!.slice(1).map(Number)).toEqual(engines!.slice(1).map((v) => Number(v ?? 0)));
  });

  it('loads the bundle only through import(), after the check (a static import would be parsed first)', async () => {
    const bin = await readFile(join(root, 'bin/tokenstorm.js'), 'utf8');
    expect(bin).not.toMatch(/^\s*(import|export)\s/m);
    expect(bin.indexOf("import('../dist/cli/main.js')")).toBeGreaterThan(bin.indexOf('if (tooOld)'));
  });
});
