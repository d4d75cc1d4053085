// `tokenstorm export k6`, proved without k6 (k6 cannot be installed here: its Go module is AGPL
// and refused by policy). Proved: the script type-checks against @types/k6 with tsc, the bundle
// is esm with only k6 imports external, the rule table inside the bundle equals the Node one, the
// manifests are valid YAML with the fields k6-operator reads, and no secret is written. NOT proved
// here: that k6 runs the script (needs real k6).
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLASSIFY_RULES } from '../../../src/flow/classify-rules.ts';
import { cli, ROOT, scratch } from './helpers.ts';

const SECRET_PASSWORD = 'pw-Zq81-never-in-output';

// k6's modules do not exist in Node: these stand-ins let the bundle be imported to read its data.
const K6_STANDINS: Record<string, string> = {
  k6: 'export function check() { return true; }',
  'k6/crypto': 'export default { randomBytes() { return new ArrayBuffer(0); }, sha256() { return ""; } };',
  'k6/encoding': 'export default { b64encode() { return ""; }, b64decode() { return ""; } };',
  'k6/http': 'export default { get() {}, post() {}, cookieJar() {}, CookieJar: class {} };',
  'k6/metrics': 'export class Trend { constructor(n) { this.name = n; } add() {} } export class Rate { constructor(n) { this.name = n; } add() {} }',
};

async function loadBundle(bundlePath: string, outFile: string): Promise<Record<string, unknown>> {
  await build({
    entryPoints: [bundlePath],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
    plugins: [
      {
        name: 'k6-standins',
        setup(b) {
          b.onResolve({ filter: /^k6(\/.*)?$/ }, (a) => ({ path: a.path, namespace: 'k6' }));
          b.onLoad({ filter: /.*/, namespace: 'k6' }, (a) => ({ contents: K6_STANDINS[a.path] ?? 'export default {}', loader: 'js' }));
        },
      },
    ],
  });
  return (await import(pathToFileURL(outFile).href)) as Record<string, unknown>;
}

describe('export k6', () => {
  let dir: string;
  let out: string;
  let res: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    dir = await scratch('k6-export');
    const scenario = join(dir, 'ramp.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'k6 ramp',
        load: { model: 'open', startRatePerSec: 2, stages: [{ duration: '5s', target: 10 }, { duration: '10s', target: 10 }] },
        target: { password: SECRET_PASSWORD },
        thresholds: ['token:p(95)<200', 'flow:rate(failed)<0.01', 'token:max<=1000', 'flow:rate(dropped)<0.1'],
      }),
    );
    out = join(dir, 'out');
    res = await cli(['export', 'k6', scenario, '--out', out, '--parallelism', '3', '--client-auth', 'client_secret_basic']);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the files and names what k6 will not gate', () => {
    expect(res.stderr).toContain("note: threshold flow:rate(dropped)<0.1 is not gated by k6");
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n').map((l) => l.slice(out.length + 1))).toEqual(['script.ts', 'script.js', 'k6-configmap.yaml', 'k6-testrun.yaml', 'tsconfig.json']);
  });

  it('the generated TypeScript type-checks against @types/k6 (tsc)', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const r = await promisify(execFile)(process.execPath, [tsc, '-p', join(out, 'tsconfig.json')], { cwd: ROOT }).then(
      () => ({ code: 0, out: '' }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
    // And it would fail on a type error: break one call and tsc must complain.
    const script = await readFile(join(out, 'script.ts'), 'utf8');
    await writeFile(join(out, 'script.ts'), script.replace('runFlow(CONFIG, endpoints);', 'runFlow(CONFIG);'));
    const broken = await promisify(execFile)(process.execPath, [tsc, '-p', join(out, 'tsconfig.json')], { cwd: ROOT }).then(
      () => 0,
      (e: { code?: number }) => e.code ?? -1,
    );
    await writeFile(join(out, 'script.ts'), script);
    expect(broken).not.toBe(0);
  });

  it('the bundle is ESM whose only imports are k6 modules, with thresholds and executors translated', async () => {
    const bundle = await readFile(join(out, 'script.js'), 'utf8');
    const imports = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['k6', 'k6/crypto', 'k6/encoding', 'k6/http', 'k6/metrics']);
    const mod = await loadBundle(join(out, 'script.js'), join(dir, 'loaded.mjs'));
    expect(mod.tokenstormClassificationRules).toEqual(CLASSIFY_RULES);
    const options = mod.options as { scenarios: Record<string, Record<string, unknown>>; thresholds: Record<string, string[]> };
    expect(options.scenarios).toEqual({
      k6_ramp: {
        executor: 'ramping-arrival-rate',
        startRate: 2,
        timeUnit: '1s',
        stages: [
          { target: 10, duration: '5000ms' },
          { target: 10, duration: '10000ms' },
        ],
        preAllocatedVUs: 10,
        maxVUs: expect.any(Number),
      },
    });
    expect(options.thresholds).toEqual({ tokenstorm_token: ['p(95)<200', 'max<=1000'], tokenstorm_flow_failed: ['rate<0.01'] });
    expect(typeof mod.default).toBe('function');
    expect(typeof mod.setup).toBe('function');
  });

  it('the manifests are a k6-operator TestRun and the ConfigMap holding the bundle', async () => {
    const bundle = await readFile(join(out, 'script.js'), 'utf8');
    const cm = parse(await readFile(join(out, 'k6-configmap.yaml'), 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string }; data: Record<string, string> };
    const tr = parse(await readFile(join(out, 'k6-testrun.yaml'), 'utf8')) as { apiVersion: string; kind: string; spec: { parallelism: number; script: { configMap: { name: string; file: string } }; arguments: string } };
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(cm.data['script.js']).toBe(bundle);
    expect(tr).toMatchObject({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', spec: { parallelism: 3, script: { configMap: { name: cm.metadata.name, file: 'script.js' } } } });
    expect(tr.spec.arguments).toContain('--out json=');
  });

  it('writes no secret (the scenario password stays out of every file)', async () => {
    const files = [...(await readdir(out, { recursive: true }))].map(String);
    for (const f of files) {
      if (!/\.(ts|js|ya?ml|json)$/.test(f)) continue;
      expect(await readFile(join(out, f), 'utf8')).not.toContain(SECRET_PASSWORD);
    }
    expect(res.stdout + res.stderr).not.toContain(SECRET_PASSWORD);
  });

  it('bad flags: one line, exit 2', async () => {
    const r = await cli(['export', 'k6', 'smoke', '--out', join(dir, 'x'), '--login', 'saml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("tokenstorm: --login must be one of oidc-provider, form (got 'saml') (see --help)\n");
  });
});
