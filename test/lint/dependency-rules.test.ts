// The import rules of src/ (.dependency-cruiser.cjs, run by `npm run lint`): they hold for the
// library, and they fail where they must, on a small tree made for it: an import against the
// layer order, a cycle of type imports only, the library importing a test, a module outside the
// layer folders.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Cruise {
  /** The CLI's exit status with its default (error) reporter: the number of errors. */
  status: number | null;
  /** Each violation as `rule from -> to`. */
  violations: string[];
}

/** Runs dependency-cruiser with the repository's rules on `src/` under `cwd`. */
function cruise(cwd: string): Cruise {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'src', '--config', CONFIG, ...args], { cwd, encoding: 'utf8' });
  const json = run('--output-type', 'json');
  expect(json.status, json.stderr).toBe(0);
  const { summary } = JSON.parse(json.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return { status: run().status, violations: summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`) };
}

const work = mkdtempSync(join(tmpdir(), 'vgetrandom-layers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A tree of `files` (path → source) under a fresh directory, with the repository's TS settings. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the import rules of src/', () => {
  it('hold for the library: no cycle, no import against the layer order', () => {
    const { status, violations } = cruise(ROOT);
    expect(violations).toEqual([]);
    expect(status).toBe(0);
  });

  it('fail on an import against the layer order (core importing api)', () => {
    const dir = tree('upward', {
      'src/core/algorithm.ts': "import { api } from '../api/entry.js';\nexport const algorithm = api;\n",
      'src/api/entry.ts': 'export const api = 1;\n',
    });
    const { status, violations } = cruise(dir);
    expect(violations).toEqual(['layer-core src/core/algorithm.ts -> src/api/entry.ts']);
    expect(status).not.toBe(0);
  });

  it('fail on a cycle of type imports only', () => {
    const dir = tree('cycle', {
      'src/platform/a.ts': "import type { B } from './b.js';\nexport interface A { b: B }\n",
      'src/platform/b.ts': "import type { A } from './a.js';\nexport interface B { a: A }\n",
    });
    const { status, violations } = cruise(dir);
    expect(violations).toEqual(['no-circular src/platform/a.ts -> src/platform/b.ts']);
    expect(status).not.toBe(0);
  });

  it('fail on mm and platform knowing each other, on the library importing a test, and on a module outside the layers', () => {
    const dir = tree('sideways', {
      'src/mm/model.ts': "import { fact } from '../platform/fact.js';\nexport const model = fact;\n",
      'src/platform/fact.ts': "import { helper } from '../../test/helper.js';\nexport const fact = helper;\n",
      'test/helper.ts': 'export const helper = 1;\n',
      'src/stray.ts': "import { model } from './mm/model.js';\nexport const stray = model;\n",
    });
    const { status, violations } = cruise(dir);
    expect(violations.sort()).toEqual([
      'in-a-layer src/stray.ts -> src/mm/model.ts',
      'layer-mm src/mm/model.ts -> src/platform/fact.ts',
      'no-library-to-outside src/platform/fact.ts -> test/helper.ts',
    ]);
    expect(status).not.toBe(0);
  });
});
