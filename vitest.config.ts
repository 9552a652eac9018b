import { defineConfig } from 'vitest/config';

// One config for the whole workspace: `pnpm test` at the root runs every package's tests,
// and each package's own `test` script points here so it runs just its folder. The real-browser
// checks (*.browser.test.ts) are their own command, `pnpm test:browser` (vitest.browser.config.ts); the
// bounded chaos run (*.chaos.test.ts, vitest.chaos.config.ts) follows this suite in `pnpm test`, on its
// own (alone: `pnpm test:chaos:bounded`).
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/.bourse/**', '**/*.browser.test.ts', '**/*.chaos.test.ts'],
    globalSetup: [new URL('./test/setup/servers.ts', import.meta.url).pathname],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
