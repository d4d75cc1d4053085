/**
 * Loads a user's TypeScript login script (target.login.module): bundled with esbuild as scenarios
 * are, its bare imports pinned to absolute file URLs resolved from the script's own folder (the
 * bundle runs from a temp folder), then imported. Kept beside the script driver rather than shared
 * with scenario/load.ts because target/ sits below scenario/ in the layering.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { TokenstormError } from '../../errors.ts';
import { lazyRequire } from '../../lazy-require.ts';
import { publicEntryFile } from '../../paths.ts';

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

/** esbuild's API, loaded when a module is first bundled (most runs bundle none: bench memory). */
const esbuild = lazyRequire<typeof import('esbuild')>('esbuild');

/**
 * esbuild plugin for a user's module (a scenario, a login script) bundled to a temp folder, where
 * bare imports (`jose`) would not resolve: each is pinned to an absolute file URL resolved from the
 * module's own folder. `tokenstorm` itself is the running package's public entry (the module needs
 * no tokenstorm in its own node_modules); deep imports (`tokenstorm/src/…`) are refused like
 * package.json `exports` refuses them.
 *
 * @example
 * await build({ entryPoints: [file], bundle: true, write: false, plugins: [externalsFrom(file, 'scenarios')] });
 */
function externalsFrom(file: string, who: string): Plugin {
  const require = createRequire(file);
  return {
    name: 'tokenstorm-externals',
    setup(b) {
      b.onResolve({ filter: /^tokenstorm(\/|$)/ }, (args) => {
        if (args.path === 'tokenstorm') return { path: pathToFileURL(publicEntryFile()).href, external: true };
        return { errors: [{ text: `cannot import ${JSON.stringify(args.path)}: ${who} import from 'tokenstorm' only` }] };
      });
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isAbsolute(args.path)) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        try {
          return { path: pathToFileURL(require.resolve(args.path)).href, external: true };
        } catch {
          return undefined;
        }
      });
    },
  };
}

/**
 * `file` bundled into one ES module's source (dependencies stay imports, see {@link externalsFrom});
 * a compile error is one `ERR_SCENARIO_INVALID` line naming `shown` and the line:column.
 *
 * @example
 * const code = await bundleSource('/abs/my.ts', 'my.ts', 'scenarios');
 */
export async function bundleSource(file: string, shown: string, who: string): Promise<string> {
  try {
    const out = await esbuild().build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      packages: 'external',
      logLevel: 'silent',
      plugins: [externalsFrom(file, who)],
    });
    return out.outputFiles[0]?.text ?? '';
  } catch (err) {
    const first = (err as { errors?: Array<{ text: string; location?: { line: number; column: number } | null }> }).errors?.[0];
    if (!first) throw new TokenstormError('ERR_SCENARIO_INVALID', `${shown}: cannot bundle: ${oneLine(String(err))}`, { cause: err });
    const loc = first.location ? `:${first.location.line}:${first.location.column + 1}` : '';
    throw new TokenstormError('ERR_SCENARIO_INVALID', `${shown}${loc}: ${oneLine(first.text)}`, { cause: err });
  }
}

/**
 * Bundles and imports `file`; any failure is one `ERR_SCENARIO_INVALID` line naming `shown`.
 *
 * @example
 * const mod = await bundleModule('/abs/my-login.ts', 'my-login.ts');
 * typeof mod.login; // 'function'
 */
export async function bundleModule(file: string, shown: string): Promise<Record<string, unknown>> {
  const code = await bundleSource(file, shown, 'login scripts');
  const dir = await mkdtemp(join(tmpdir(), 'tokenstorm-login-'));
  const tmp = join(dir, 'login.mjs');
  try {
    await writeFile(tmp, code);
    return (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
  } catch (err) {
    throw new TokenstormError('ERR_SCENARIO_INVALID', `${shown}: failed to load: ${oneLine(err instanceof Error ? err.message : String(err))}`, { cause: err });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
