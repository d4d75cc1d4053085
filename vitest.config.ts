import { configDefaults, defineConfig } from 'vitest/config';

const KEYCLOAK_TESTS = 'test/integration/keycloak/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and measure latency; two cores are shared, so run files
    // one at a time to keep timing assertions meaningful.
    fileParallelism: false,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, KEYCLOAK_TESTS] } },
      // Tests against a real Keycloak: its own project so that its global setup (one Keycloak
      // start per test run, ~30–90 s on two cores, shared by every file) runs only when one of
      // its files is selected.
      { extends: true, test: { name: 'keycloak', include: [KEYCLOAK_TESTS], globalSetup: ['test/keycloak/global-setup.ts'] } },
    ],
  },
});
