// Tests: one process per file (workers and real forks need their own), generous timeouts for
// the million-request stress tests on a shared 2-core machine. Two groups, one after the other:
// the files that reseed the kernel's CRNG (RNDRESEEDCRNG moves the generation of every process
// on the machine, so every other file's rekey counts would see it) run once the rest is done.
import { defineConfig } from 'vitest/config';

/** The files that reseed the kernel, each in a group of its own: files of one group run at once. */
const RESEEDS_KERNEL = ['test/platform/kernel-generation.test.ts', 'test/demo/demo.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          // The consumer suite runs on the built package, after `npm run build` (test/package/vitest.config.ts).
          exclude: ['test/package/**', 'node_modules/**', ...RESEEDS_KERNEL],
        },
      },
      ...RESEEDS_KERNEL.map((file, i) => ({
        extends: true as const,
        test: { name: `kernel reseeds ${i + 1}`, include: [file], sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
