// Bundles the CLI, the public API (`import … from 'tokenstorm'`, dist/api/index.js) and every
// module that runs in its own thread or process (the verifier worker, the embedded IdP child, the fault server child and its replicas) into
// dist/<folder>/<name>.js, with code they share split into dist/chunks/ so the CLI and a scenario
// importing 'tokenstorm' use one copy of each module. Dependencies stay external (node_modules). `__TOKENSTORM_BUNDLED__` lets
// src/paths.ts find sibling entry files in both layouts; every output file sits one folder deep.
// Then tsc writes the public API's declarations to dist/types/ (tsconfig.types.json).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = {
  'api/index': 'src/index.ts',
  'cli/main': 'src/cli/main.ts',
  'pkce/worker': 'src/pkce/worker.ts',
  'pkce/sign-worker': 'src/pkce/sign-worker.ts',
  'idp/child': 'src/idp/child.ts',
  'chaos/fault-child': 'src/chaos/fault-child.ts',
  'chaos/fault-replica': 'src/chaos/fault-replica.ts',
  'run/thread-child': 'src/run/thread-child.ts',
};

// Stale chunks from an earlier build would otherwise ship in the package.
rmSync(join(root, 'dist'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  define: { __TOKENSTORM_BUNDLED__: 'true' },
  logLevel: 'warning',
});

// package.json `exports` points `types` at dist/types/index.d.ts.
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.types.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  process.stderr.write('build: tsc could not write the declarations (dist/types)\n');
  process.exit(tsc.status ?? 1);
}
