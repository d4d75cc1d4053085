import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and measure latency; two cores are shared, so run files
    // one at a time to keep timing assertions meaningful.
    fileParallelism: false,
    pool: 'forks',
  },
});
