/**
 * Locates modules that run in their own thread or process (the verifier worker, the IdP child,
 * the fault server child).
 * From source (tests, Node's type stripping) they are `src/<name>.ts`; from the bundle they are
 * `dist/<name>.js`, and every bundle entry sits one folder deep (dist/cli/main.js).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __TOKENSTORM_BUNDLED__: boolean | undefined;

const bundled = typeof __TOKENSTORM_BUNDLED__ !== 'undefined' && __TOKENSTORM_BUNDLED__;
const here = dirname(fileURLToPath(import.meta.url));
const root = bundled ? resolve(here, '..') : here;

/** Entry modules that run in a worker thread or child process. */
export type EntryModule = 'cli/main' | 'run/thread-child' | 'pkce/worker' | 'pkce/sign-worker' | 'idp/child' | 'chaos/fault-child' | 'chaos/fault-replica';

/**
 * Absolute path of an entry module in the current layout (source or bundle).
 *
 * @example
 * new Piscina({ filename: entryFile('pkce/worker') });
 */
export function entryFile(name: EntryModule): string {
  return join(root, name + (bundled ? '.js' : '.ts'));
}

/**
 * Absolute path of the public API entry (what `import … from 'tokenstorm'` means): dist/api/index.js
 * in the bundle, src/index.ts from source. Scenario files importing 'tokenstorm' get this one, so
 * they share the running tokenstorm's modules whichever copy of the package their folder holds.
 *
 * @example
 * await import(pathToFileURL(publicEntryFile()).href);
 */
export function publicEntryFile(): string {
  return bundled ? join(root, 'api/index.js') : join(root, 'index.ts');
}

/**
 * Absolute path of a source file under src/ (files shipped as source, e.g. the k6 script that
 * `export k6` copies). From the bundle, src/ is a sibling of dist/.
 *
 * @example
 * readFileSync(sourceFile('k6/script/k6-flow.ts'), 'utf8');
 */
export function sourceFile(rel: string): string {
  return bundled ? resolve(root, '..', 'src', rel) : join(root, rel);
}
