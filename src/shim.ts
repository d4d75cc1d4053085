/**
 * Resource lifetimes use AsyncDisposableStack, which Node 24 has and Node 22 (engines) does not.
 * The polyfill is loaded only where it is missing: it pulls in es-abstract, about 16 MB of RSS
 * measured on Node 24 (bench memory), which a run at 100 flows/s would otherwise carry for nothing.
 * Every entry point (CLI, public API, load thread) imports this module first.
 */
if (typeof globalThis.AsyncDisposableStack !== 'function') await import('disposablestack/auto');
