// Build: ESM + CJS + .d.ts for every public entry point, and the `vgetrandom` command (ESM only:
// it uses top-level await). The command bundles its benchmark peers but not vega, which
// `vgetrandom bench --svg` asks the user to install.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', mm: 'src/mm/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    splitting: false,
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
