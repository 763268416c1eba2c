import { defineConfig } from 'vitest/config';

// Two cores on CI: forks keep node:sqlite and real servers isolated per file without oversubscribing.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
