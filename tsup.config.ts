// Build: ESM + CJS + .d.ts for every public entry point.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', mm: 'src/mm/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  splitting: false,
});
