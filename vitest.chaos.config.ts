import { defineConfig } from 'vitest/config';

// `pnpm test:chaos:bounded`: the bounded chaos run (one fault of each kind against the whole platform
// on private servers). Kept out of `pnpm test` while it fails: a silent balance change at the venue
// ends in a drift halt that only an operator lifts, so the run cannot end ACTIVE (test/chaos/README.md).
export default defineConfig({
  test: {
    include: ['**/*.chaos.test.ts'],
    exclude: ['**/node_modules/**', '**/.bourse/**'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
