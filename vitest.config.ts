// Tests: one process per file (workers and real forks need their own), generous timeouts for
// the million-request stress tests on a shared 2-core machine.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The consumer suite runs on the built package, after `npm run build` (test/package/vitest.config.ts).
    exclude: ['test/package/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
