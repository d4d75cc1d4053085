/**
 * CommonJS dependencies loaded on first use rather than when the CLI starts. Every module a
 * process loads stays in its memory: ajv, yaml, esbuild, piscina, cli-progress and the Toxiproxy
 * client together cost a `run` about 20 MB of RSS (bench memory) although a plain run at a few
 * hundred flows/s uses none of them. A synchronous require keeps the callers' signatures.
 */
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

/**
 * A getter that requires `id` the first time it is called (Node caches the module after that).
 *
 * @example
 * const yaml = lazyRequire<typeof import('yaml')>('yaml');
 * yaml().parseDocument(text);
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireCjs(id) as T);
}

/**
 * node:http, required rather than imported: an ES-module import of it makes Node load its bundled
 * undici for http's lazy WebSocket exports (13 MB of RSS in a bare process, 1–2 MB of a run's peak
 * at 100–200 flows/s, where much of it is shared). The fault and metrics servers use this one.
 */
export const nodeHttp = lazyRequire<typeof import('node:http')>('node:http');
