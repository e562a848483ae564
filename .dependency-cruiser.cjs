// The import rules of src/ (npm run lint): no cycle, type imports included, and every import
// downward in the layer order of docs/architecture.md:
//
//   base ← core ← platform ← arena ← api ← index.ts
//               ↖ mm ↙
//
// A layer imports its own files and the layers before it; mm (the simulated kernel) and platform
// (what the process stands on) do not know each other. Nothing in the library imports the demo,
// the tests, the benchmarks or a development dependency.

/** Every src/ layer, and the layers each may import besides itself. */
const LAYERS = {
  base: [],
  core: ['base'],
  platform: ['base', 'core'],
  mm: ['base', 'core'],
  arena: ['base', 'core', 'platform', 'mm'],
  api: ['base', 'core', 'platform', 'mm', 'arena'],
};

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only ${below.length === 0 ? 'itself' : `itself and src/{${below.join(',')}}/`} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: `^src/(${[layer, ...below].join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle, type imports counted: break it by inverting a dependency (docs/architecture.md)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'in-a-layer',
      comment: 'Every module of src/ is in a layer folder or the demo, or is an entry point at its top (index.ts, register.ts)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(base|core|platform|mm|arena|api|demo)/|^src/(index|register)\\.ts$' },
      to: {},
    },
    {
      name: 'no-library-to-outside',
      comment: 'The library (src/ but the demo) imports neither the demo, the tests, the benchmarks nor the command',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/demo/' },
      to: { path: '^(src/demo|test|bench|bin)/' },
    },
    {
      name: 'no-dev-dependency-in-src',
      comment: 'What src/ imports ships to users: a development dependency would be missing where they install it',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are edges too: a cycle through `import type` is still a cycle of ideas.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // The package's own name resolves to itself (src/mm/index.ts's @example is a comment).
    exclude: { path: '^(dist|build|node_modules)/' },
  },
};
