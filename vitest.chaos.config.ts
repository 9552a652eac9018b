import { defineConfig } from 'vitest/config';

// The bounded chaos run (one fault of each kind against the whole platform on private servers):
// `pnpm test` runs it after the rest of the suite, on its own so the storm's timing is not the
// suite's load; `pnpm test:chaos:bounded` runs it alone (test/chaos/README.md).
export default defineConfig({
  test: {
    include: ['**/*.chaos.test.ts'],
    exclude: ['**/node_modules/**', '**/.bourse/**'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
