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
export type EntryModule = 'pkce/worker' | 'idp/child' | 'chaos/fault-child' | 'chaos/fault-replica';

/**
 * Absolute path of an entry module in the current layout (source or bundle).
 *
 * @example
 * new Piscina({ filename: entryFile('pkce/worker') });
 */
export function entryFile(name: EntryModule): string {
  return join(root, name + (bundled ? '.js' : '.ts'));
}
