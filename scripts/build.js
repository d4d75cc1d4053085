// Bundles the CLI and every module that runs in its own thread or process (the verifier worker,
// the embedded IdP child, the fault server child) into dist/<folder>/<name>.js. Dependencies stay external (node_modules).
// `__TOKENSTORM_BUNDLED__` lets src/paths.ts find sibling entry files in both layouts.
import { build } from 'esbuild';

const entryPoints = {
  'cli/main': 'src/cli/main.ts',
  'pkce/worker': 'src/pkce/worker.ts',
  'idp/child': 'src/idp/child.ts',
  'chaos/fault-child': 'src/chaos/fault-child.ts',
  'chaos/fault-replica': 'src/chaos/fault-replica.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  define: { __TOKENSTORM_BUNDLED__: 'true' },
  logLevel: 'warning',
});
