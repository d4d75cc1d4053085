/**
 * Loads a scenario from a .ts file (bundled with esbuild, default export), .json or .yaml, or by
 * bare name from the package's scenarios/ folder, and validates it into a RunPlan. Every error is
 * one line naming the file (and line:column where the parser knows it).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TokenstormError } from '../errors.ts';
import { bundleSource } from '../target/login/bundle-module.ts';
import type { RunPlan } from './types.ts';
import { type EvalOutcome, evaluateScenarioModule } from './evaluate.ts';
import { validateScenario } from './validate.ts';
import { lazyRequire } from '../lazy-require.ts';

/** The YAML parser, loaded for the first YAML scenario. */
const yaml = lazyRequire<typeof import('yaml')>('yaml');

const BARE_NAME = /^[a-z0-9][a-z0-9_-]*$/i;
const TS_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

let cachedRoot: string | undefined;

/**
 * The tokenstorm package folder: walking up from this module to the package.json named
 * "tokenstorm" works from src/ (type stripping) and from dist/ (bundle) alike.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tokenstorm') {
          cachedRoot = dir;
          return dir;
        }
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new TokenstormError('ERR_INTERNAL', 'cannot find the tokenstorm package folder');
    dir = parent;
  }
}

/**
 * Absolute path of a scenario: undefined → the bundled smoke scenario; a bare name (`capacity`) →
 * scenarios/<name>.ts in the package; anything else → a path relative to the working directory.
 * Throws `ERR_SCENARIO_NOT_FOUND`.
 *
 * @example
 * resolveScenario('token-p95'); // → <package>/scenarios/token-p95.ts
 * resolveScenario('./my-scenario.yaml'); // → <cwd>/my-scenario.yaml
 */
export function resolveScenario(fileOrName: string | undefined): string {
  const scenariosDir = join(packageRoot(), 'scenarios');
  if (fileOrName === undefined) return join(scenariosDir, 'smoke.ts');
  if (BARE_NAME.test(fileOrName) && !isFile(fileOrName)) {
    const file = join(scenariosDir, `${fileOrName}.ts`);
    if (existsSync(file)) return file;
    throw new TokenstormError(
      'ERR_SCENARIO_NOT_FOUND',
      `scenario ${JSON.stringify(fileOrName)} not found (no file ${file}; built-in: ${builtInNames(scenariosDir).join(', ')})`,
    );
  }
  const file = resolve(fileOrName);
  if (!isFile(file)) {
    throw new TokenstormError('ERR_SCENARIO_NOT_FOUND', `scenario file not found: ${file}`);
  }
  return file;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function builtInNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Loads and validates a scenario (see {@link resolveScenario} for what `fileOrName` may be).
 *
 * @example
 * const plan = await loadScenario('capacity');
 * const same = await loadScenario('scenarios/capacity.ts');
 */
export async function loadScenario(fileOrName: string | undefined): Promise<RunPlan> {
  const file = resolveScenario(fileOrName);
  const shown = displayPath(file);
  const input = await readScenarioInput(file, shown);
  return validateScenario(input, shown);
}

/** The path as the user thinks of it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The scenario document as written (not validated). `shown` names the file in errors. */
export async function readScenarioInput(file: string, shown: string = displayPath(file)): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (TS_EXTENSIONS.includes(ext)) return importModule(file, shown);
  if (ext === '.json') return parseJson(await readFile(file, 'utf8'), shown);
  if (ext === '.yaml' || ext === '.yml') return parseYaml(await readFile(file, 'utf8'), shown);
  throw new TokenstormError(
    'ERR_SCENARIO_INVALID',
    `${shown}: unsupported scenario file type ${JSON.stringify(ext || '(none)')} (use .ts, .json, .yaml or .yml)`,
  );
}

/** JSON text → document; a syntax error is one line with the file and V8's position. */
export function parseJson(text: string, shown: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${shown}: invalid JSON: ${oneLine((err as Error).message)}`, err);
  }
}

/** YAML text → document; the first error is one line `<file>:<line>:<col>: invalid YAML: …`. */
export function parseYaml(text: string, shown: string): unknown {
  const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
    // The message may carry a multi-line source excerpt; the first line says what is wrong.
    const what = (first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '');
    throw invalid(`${where}: invalid YAML: ${what}`, first);
  }
  try {
    // An alias bomb (a billion laughs) expands past maxAliasCount and is refused, not built.
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw invalid(`${shown}: invalid YAML: ${oneLine(err instanceof Error ? err.message : String(err))}`, err);
  }
}

/** Alias expansions a YAML scenario may use (yaml's default is 100; a scenario needs a handful). */
export const MAX_YAML_ALIASES = 100;

async function importModule(file: string, shown: string): Promise<unknown> {
  const code = await bundleSource(file, shown, 'scenarios');
  // A temp file rather than a data: URL so Node resolves the (absolute) externals like any module.
  // The module runs in a worker with a deadline (a scenario is code: it may never settle or loop
  // forever); the temp folder is removed whatever happened.
  const dir = await mkdtemp(join(tmpdir(), 'tokenstorm-scenario-'));
  const tmp = join(dir, 'scenario.mjs');
  let outcome: EvalOutcome;
  try {
    await writeFile(tmp, code);
    outcome = await evaluateScenarioModule(pathToFileURL(tmp).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  switch (outcome.kind) {
    case 'ok':
      return outcome.value;
    case 'no-default':
      throw invalid(`${shown}: has no default export (export default defineScenario({ … }))`);
    case 'threw':
      throw invalid(`${shown}: the default export threw: ${oneLine(outcome.message)}`);
    case 'load-failed':
      throw invalid(`${shown}: failed to load: ${oneLine(outcome.message)}`);
    case 'not-data':
      throw invalid(`${shown}: the default export is not plain data (${oneLine(outcome.message)})`);
    case 'never-settled':
      throw invalid(`${shown}: the default export never settled (a promise that neither resolves nor rejects)`);
    case 'timeout':
      throw invalid(
        `${shown}: the module did not produce its default export within ${outcome.timeoutMs / 1000} s (an endless loop or a slow promise?)`,
      );
  }
}


function invalid(message: string, cause?: unknown): TokenstormError {
  return new TokenstormError('ERR_SCENARIO_INVALID', message, cause === undefined ? {} : { cause });
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
