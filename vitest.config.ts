import { defineConfig } from 'vitest/config';

// Tests mirror the source tree (test/analyzer, test/server, ...). Slow end-to-end suites
// (code-server, Chromium, syslog-ng) are ordinary tests: they poll with timeouts and never
// sleep a fixed time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    // builds dist/ once, before any test file runs (no test file rebuilds it)
    globalSetup: ['test/support/globalSetup.ts'],
    // TMPDIR per test file; a file that leaves anything in it fails (the run's TMPDIR is globalSetup's)
    setupFiles: ['test/support/testTempDir.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
