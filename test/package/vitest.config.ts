// The consumer suite: the packed tarball installed into a fresh app, as a user gets it. Run after
// `npm run build` (.ci/run does), apart from the main suite, which tests src/:
//   npx vitest run --config test/package/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/package/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
