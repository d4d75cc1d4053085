/**
 * src/flow/http.ts and src/metrics/hdr.ts require single modules of undici and hdr-histogram-js
 * instead of their indexes (the indexes cost ~20 MB of RSS a run never uses). Those paths are not
 * the packages' public API: this checks, for the versions package-lock.json installs, that each
 * path still exports exactly what the index exports, so an upgrade that moves them fails here.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('deep imports of dependencies', () => {
  it('undici: the Agent and the connector factory are the index exports', () => {
    const index = require('undici') as Record<string, unknown>;
    expect(require('undici/lib/dispatcher/agent.js')).toBe(index.Agent);
    expect(require('undici/lib/core/connect.js')).toBe(index.buildConnector);
  });

  it('hdr-histogram-js: the 32-bit and packed histograms, their base class and the codec are the index exports', () => {
    const index = require('hdr-histogram-js') as Record<string, unknown>;
    expect(require('hdr-histogram-js/dist/Int32Histogram.js').default).toBe(index.Int32Histogram);
    expect(require('hdr-histogram-js/dist/JsHistogram.js').default).toBe(index.JsHistogram);
    expect(require('hdr-histogram-js/dist/PackedHistogram.js').default).toBe(index.PackedHistogram);
    const codec = require('hdr-histogram-js/dist/encoding.js') as Record<string, unknown>;
    expect(codec.encodeIntoCompressedBase64).toBe(index.encodeIntoCompressedBase64);
    expect(codec.decodeFromCompressedBase64).toBe(index.decodeFromCompressedBase64);
  });
});
