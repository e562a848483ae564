// Build: ESM + CJS + .d.ts for every public entry point, and the `vgetrandom` command (ESM only:
// it uses top-level await). The command bundles its benchmark peers but not vega, which
// `vgetrandom bench --svg` asks the user to install.
//
// The entry points share their code through chunks (splitting, in both formats): a class such
// as SimulatedMm exists once per format, so that a SimulatedMm from 'vgetrandom/mm' is the one
// 'vgetrandom' checks for. Each bundle of its own would have its own copy of every class.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', mm: 'src/mm/index.ts', register: 'src/register.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    splitting: true,
    // import.meta.url in the CJS chunks (src/platform/addon/package-root.ts finds its package by it).
    shims: true,
  },
  {
    entry: { cli: 'bin/vgetrandom.ts', 'cgroup-child': 'src/demo/cgroup-child.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    external: ['vega', 'vega-lite'],
  },
]);
