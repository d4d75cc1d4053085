import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { loadScenario, packageRoot, resolveScenario } from '../../../src/scenario/load.ts';

const defineTs = join(packageRoot(), 'src/scenario/define.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenstorm-load-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function failure(fileOrName: string | undefined): Promise<{ code: string; message: string }> {
  try {
    await loadScenario(fileOrName);
  } catch (err) {
    expect(isTokenstormError(err)).toBe(true);
    const e = err as Error & { code: string };
    expect(e.message).not.toContain('\n');
    return { code: e.code, message: e.message };
  }
  throw new Error('expected loadScenario to fail');
}

describe('resolveScenario', () => {
  it('finds the package root by its package.json', () => {
    expect(packageRoot()).toBe(join(import.meta.dirname, '../../..'));
  });

  it('undefined → scenarios/smoke.ts; bare names → scenarios/<name>.ts', () => {
    expect(resolveScenario(undefined)).toBe(join(packageRoot(), 'scenarios/smoke.ts'));
    expect(resolveScenario('capacity')).toBe(join(packageRoot(), 'scenarios/capacity.ts'));
  });

  it('unknown bare name and missing file → ERR_SCENARIO_NOT_FOUND naming the path', async () => {
    const unknown = await failure('nosuch');
    expect(unknown.code).toBe('ERR_SCENARIO_NOT_FOUND');
    expect(unknown.message).toMatch(/^scenario "nosuch" not found \(no file .*scenarios\/nosuch\.ts; built-in: .*smoke.*\)$/);
    const missing = await failure(join(dir, 'missing.yaml'));
    expect(missing).toEqual({ code: 'ERR_SCENARIO_NOT_FOUND', message: `scenario file not found: ${join(dir, 'missing.yaml')}` });
  });
});

describe('loadScenario', () => {
  it('loads the default scenario (smoke)', async () => {
    const plan = await loadScenario(undefined);
    expect(plan.name).toBe('smoke');
    expect(plan.stages).toEqual([{ durationMs: 10_000, targetRatePerSec: 20 }]);
  });

  it('loads JSON', async () => {
    const file = await write('a.json', JSON.stringify({ load: { ratePerSec: 5, duration: '2s' } }));
    const plan = await loadScenario(file);
    expect(plan.name).toBe('a');
    expect(plan.file).toBe(file);
    expect(plan.totalDurationMs).toBe(2000);
  });

  it('loads YAML (.yaml and .yml)', async () => {
    const text = 'name: y\nload:\n  stages:\n    - duration: 1s\n      target: 5\n';
    for (const name of ['b.yaml', 'b.yml']) {
      const plan = await loadScenario(await write(name, text));
      expect(plan.name).toBe('y');
      expect(plan.stages).toEqual([{ durationMs: 1000, targetRatePerSec: 5 }]);
    }
  });

  it('loads TypeScript (object, function, async function default exports) with defineScenario', async () => {
    const object = await write(
      'c.ts',
      `import { defineScenario } from ${JSON.stringify(defineTs)};\nimport { EOL } from 'node:os';\n` +
        `const rate: number = EOL.length > 0 ? 7 : 0;\nexport default defineScenario({ load: { ratePerSec: rate, duration: '3s' } });\n`,
    );
    expect((await loadScenario(object)).stages).toEqual([{ durationMs: 3000, targetRatePerSec: 7 }]);
    const fn = await write('d.ts', `export default () => ({ name: 'fn', load: { ratePerSec: 1, duration: 1000 } });\n`);
    expect((await loadScenario(fn)).name).toBe('fn');
    const asyncFn = await write('e.mts', `export default async () => ({ name: 'async', load: { ratePerSec: 1, duration: 1000 } });\n`);
    expect((await loadScenario(asyncFn)).name).toBe('async');
  });

  it('resolves bare package imports from the scenario folder, not the temp bundle folder', async () => {
    await mkdir(join(dir, 'node_modules/rates'), { recursive: true });
    await writeFile(join(dir, 'node_modules/rates/package.json'), '{"name":"rates","type":"module","main":"index.js"}');
    await writeFile(join(dir, 'node_modules/rates/index.js'), 'export const rate = 9;\n');
    const file = await write('f.ts', `import { rate } from 'rates';\nexport default { load: { ratePerSec: rate, duration: '1s' } };\n`);
    expect((await loadScenario(file)).startRatePerSec).toBe(9);
  });

  it("'tokenstorm' is the running package's public entry, from a folder with no tokenstorm installed; deep imports are refused", async () => {
    const file = await write('h.ts', `import { defineScenario, parseDuration } from 'tokenstorm';\nexport default defineScenario({ name: 'pkg', load: { ratePerSec: 2, duration: parseDuration('4s') } });\n`);
    expect((await loadScenario(file)).stages).toEqual([{ durationMs: 4000, targetRatePerSec: 2 }]);
    const deep = await write('i.ts', `import { defineScenario } from 'tokenstorm/src/scenario/define.ts';\nexport default defineScenario({ load: { ratePerSec: 1, duration: '1s' } });\n`);
    expect(await failure(deep)).toEqual({
      code: 'ERR_SCENARIO_INVALID',
      message: `${deep}:1:32: cannot import "tokenstorm/src/scenario/define.ts": scenarios import from 'tokenstorm' only`,
    });
  });

  it('validates what it loads (one line naming the file)', async () => {
    const file = await write('g.json', JSON.stringify({ load: { ratePercSec: 5, duration: '2s' } }));
    expect(await failure(file)).toEqual({
      code: 'ERR_SCENARIO_INVALID',
      message:
        `${file}: load.ratePercSec is not a known key (did you mean load.ratePerSec?); ` +
        'load.ratePerSec is required for the open model (or give load.stages)',
    });
  });

  it('malformed JSON → one line with the file and position', async () => {
    const file = await write('bad.json', '{\n  "load": { "ratePerSec": 5, }\n}\n');
    const e = await failure(file);
    expect(e.code).toBe('ERR_SCENARIO_INVALID');
    expect(e.message).toMatch(new RegExp(`^${escapeRegExp(file)}: invalid JSON: .*position 31.*$`));
  });

  it('malformed YAML → one line with file:line:col', async () => {
    const file = await write('bad.yaml', 'load:\n  ratePerSec: 5\n  ratePerSec: 6\n');
    expect(await failure(file)).toEqual({
      code: 'ERR_SCENARIO_INVALID',
      message: `${file}:3:3: invalid YAML: Map keys must be unique`,
    });
    const tabs = await write('bad2.yaml', 'load: {ratePerSec: 5\n');
    const e = await failure(tabs);
    expect(e.message).toMatch(new RegExp(`^${escapeRegExp(tabs)}:\\d+:\\d+: invalid YAML: .+$`));
  });

  it('TypeScript syntax error → one line with file:line:col', async () => {
    const file = await write('bad.ts', 'export default {\n  load: { ratePerSec: 5 duration: 1 },\n};\n');
    expect(await failure(file)).toEqual({ code: 'ERR_SCENARIO_INVALID', message: `${file}:2:25: Expected "}" but found "duration"` });
  });

  it('TypeScript without a default export, or throwing', async () => {
    const none = await write('none.ts', 'export const x = 1;\n');
    expect((await failure(none)).message).toBe(`${none}: has no default export (export default defineScenario({ … }))`);
    const throws = await write('throws.ts', "throw new Error('boom');\n");
    expect((await failure(throws)).message).toBe(`${throws}: failed to load: boom`);
  });

  it('rejects other file types', async () => {
    const file = await write('x.toml', 'a = 1');
    expect(await failure(file)).toEqual({
      code: 'ERR_SCENARIO_INVALID',
      message: `${file}: unsupported scenario file type ".toml" (use .ts, .json, .yaml or .yml)`,
    });
  });

  it('leaves no temp bundle behind', async () => {
    const { readdir } = await import('node:fs/promises');
    const before = (await readdir(tmpdir())).filter((f) => f.startsWith('tokenstorm-scenario-')).length;
    await loadScenario('smoke');
    const after = (await readdir(tmpdir())).filter((f) => f.startsWith('tokenstorm-scenario-')).length;
    expect(after).toBe(before);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
