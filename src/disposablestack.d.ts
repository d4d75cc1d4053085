// The polyfill ships no types; it is only imported for its side effect (src/shim.ts).
declare module 'disposablestack/auto';
