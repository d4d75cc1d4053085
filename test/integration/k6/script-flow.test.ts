// The exported k6 script's real flow logic, run against the real embedded IdP on a STAND-IN k6
// runtime (standin-runtime/: k6 cannot be installed here). Proves: the script's authorize → login
// → callback → token → ID-token logic completes flows against oidc-provider; an IdP that rejects
// S256 is classified by the shared rule table; and `import k6` of the two "runners'" output gives
// a report whose flow count equals the iteration count and whose per-endpoint counts equal the
// script's own points. NOT proved: that real k6 (its HTTP client, scheduler, JSON output) does so.
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import type { Report } from '../../../src/report/schema.ts';
import { cli, scratch } from './helpers.ts';
import { closeSyncHttp } from './standin-runtime/sync-http.ts';

const STANDIN = resolve(import.meta.dirname, 'standin-runtime');
const MODULES: Record<string, string> = {
  k6: 'k6.ts',
  'k6/http': 'k6-http.ts',
  'k6/crypto': 'k6-crypto.ts',
  'k6/encoding': 'k6-encoding.ts',
  'k6/metrics': 'k6-metrics.ts',
};
const g = globalThis as unknown as { __ENV: Record<string, string>; __K6_STANDIN_LINES: string[]; __K6_STANDIN_TAGS: Record<string, string> };

interface Line {
  type: string;
  metric: string;
  data: { value: number; tags: Record<string, string> };
}

describe('exported k6 script on a stand-in k6 runtime against the embedded IdP', () => {
  let idp: EmbeddedIdp;
  let dir: string;
  let loaded = 0;

  async function loadScript(): Promise<{ default: (data: unknown) => void; setup: () => unknown }> {
    const out = join(dir, `run-${loaded++}.mjs`);
    await build({
      entryPoints: [join(dir, 'k6', 'script.js')],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
      plugins: [
        {
          name: 'k6-standin-runtime',
          setup(b) {
            b.onResolve({ filter: /^k6(\/.*)?$/ }, (a) => ({ path: join(STANDIN, MODULES[a.path]!) }));
          },
        },
      ],
    });
    return (await import(pathToFileURL(out).href)) as { default: (data: unknown) => void; setup: () => unknown };
  }

  function runIterations(script: { default: (data: unknown) => void; setup: () => unknown }, n: number, instance: string): string[] {
    g.__K6_STANDIN_TAGS = { scenario: 'smoke', instance_id: instance };
    // As k6 does: setup() once (discovery), its result handed to every iteration.
    const data = script.setup();
    for (let i = 0; i < n; i++) script.default(data);
    const lines = g.__K6_STANDIN_LINES;
    g.__K6_STANDIN_LINES = [];
    return lines;
  }

  beforeAll(async () => {
    idp = await startEmbeddedIdp();
    dir = await scratch('k6-standin');
    const res = await cli(['export', 'k6', 'smoke', '--out', join(dir, 'k6'), '--issuer', idp.issuer]);
    expect(res.code).toBe(0);
    g.__ENV = {};
    g.__K6_STANDIN_LINES = [];
  });
  afterAll(async () => {
    await closeSyncHttp();
    await idp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('completes flows; import of two runners counts exactly the iterations and the points', async () => {
    const a = runIterations(await loadScript(), 12, '0');
    const b = runIterations(await loadScript(), 8, '1');
    const points = [...a, ...b].map((l) => JSON.parse(l) as Line).filter((l) => l.type === 'Point');
    const flows = points.filter((p) => p.metric === 'tokenstorm_flow');
    expect(flows).toHaveLength(20);
    expect(flows.filter((p) => p.data.tags.ok !== 'true').map((p) => p.data.tags.failure_class)).toEqual([]);
    // Only bounded tags: nothing of the flow's secrets (codes, verifiers, tokens) in the output.
    for (const p of points) expect(Object.keys(p.data.tags).every((k) => ['endpoint', 'ok', 'failure_class', 'scenario', 'instance_id'].includes(k))).toBe(true);

    await writeFile(join(dir, 'a.json'), `${a.join('\n')}\n`);
    await writeFile(join(dir, 'b.json'), `${b.join('\n')}\n`);
    const res = await cli(['import', 'k6', join(dir, 'a.json'), join(dir, 'b.json'), '--scenario', 'smoke', '--out', join(dir, 'report'), '--quiet', '--json']);
    expect(res.stderr).toBe('');
    const report = JSON.parse(res.stdout) as Report;
    expect(report.flows).toMatchObject({ started: 20, completed: 20, failed: 0 });
    for (const cls of ['authorize', 'login', 'consent', 'callback', 'token'] as const) {
      expect(report.endpoints[cls]?.count, cls).toBe(points.filter((p) => p.metric === `tokenstorm_${cls}`).length);
    }
    expect(report.endpoints.token!.count).toBe(20);
    expect(report.segments?.map((s) => s.flows.started)).toEqual([12, 8]);
  });

  it('an IdP that rejects S256 is classified by the shared rules (pkce_method_rejected)', async () => {
    await idp.setMode({ rejectS256: true });
    try {
      const lines = runIterations(await loadScript(), 3, '0');
      const flows = lines.map((l) => JSON.parse(l) as Line).filter((l) => l.type === 'Point' && l.metric === 'tokenstorm_flow');
      expect(flows.map((p) => [p.data.tags.ok, p.data.tags.failure_class])).toEqual([
        ['false', 'pkce_method_rejected'],
        ['false', 'pkce_method_rejected'],
        ['false', 'pkce_method_rejected'],
      ]);
    } finally {
      await idp.setMode({});
    }
  });
});
