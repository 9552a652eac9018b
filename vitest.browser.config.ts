import { defineConfig } from 'vitest/config';

// `pnpm test:browser`: the checks that open the HTML report in a real headless Chromium (found as
// libs/servers/src/browser.ts says). Apart from `pnpm test` so a machine without a browser still runs
// every other test; `.ci/run` installs Chromium and runs both. They need none of the servers.
export default defineConfig({
  test: {
    include: ['**/*.browser.test.ts'],
    exclude: ['**/node_modules/**', '**/.bourse/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
