// The package as a user gets it: the packed tarball installed into a fresh app with no C compiler,
// then used from ESM and CommonJS, with `vgetrandom/mm`, type-checked with the two module
// resolutions an application uses, run as the `vgetrandom` command, and every code block of the
// README's Use, API and Worker threads sections run as written.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, installApp, REPO, TSX } from './app.js';
import { ENTRIES, exportsOf } from './exports.js';
import { readmeBlocks } from './readme.js';

const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

let app: App;
beforeAll(() => {
  app = installApp();
});

/** Runs `code` as an ES module (or, with `cjs`, a CommonJS script) in the app; its stdout. */
function run(code: string, cjs = false): string {
  const r = app.node(cjs ? ['-e', code] : ['--input-type=module', '-e', code]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('the installed package', () => {
  it.runIf(LINUX_X64)('runs on the native backend without a compiler (the prebuilt addon)', () => {
    expect(run("const { info } = await import('vgetrandom'); console.log(info().backend)").trim()).toBe('native');
  });

  it('draws from ESM and from CommonJS', () => {
    for (const [code, cjs] of [
      [
        "const { getrandom } = await import('vgetrandom'); const b = new Uint8Array(32); console.log(getrandom(b), b.some((x) => x))",
        false,
      ],
      ["const { getrandom } = require('vgetrandom'); const b = new Uint8Array(32); console.log(getrandom(b), b.some((x) => x))", true],
    ] as const) {
      expect(run(code, cjs).trim()).toBe('32 true');
    }
  });

  it('takes a SimulatedMm from vgetrandom/mm, in both formats: one class across entry points', () => {
    // One rekey per attempt: a generation that moves during the call (a kernel reseed, the
    // ticker, on a loaded machine) makes the call retry, and the retry rekeys too.
    const body = `
      const g = createGenerator({ backend: 'simulated', mm: new SimulatedMm() });
      const filled = g.fill(new Uint8Array(16)).some((x) => x);
      const { rekeys, retries } = g.stats();
      console.log(filled, rekeys - retries);`;
    expect(
      run(`const { createGenerator } = await import('vgetrandom'); const { SimulatedMm } = await import('vgetrandom/mm'); ${body}`).trim(),
    ).toBe('true 1');
    expect(
      run(`const { createGenerator } = require('vgetrandom'); const { SimulatedMm } = require('vgetrandom/mm'); ${body}`, true).trim(),
    ).toBe('true 1');
  });

  it('declares every export it has at run time', () => {
    for (const [entry, specifier] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][]) {
      const declared = new Set(exportsOf(app.pkg, entry).map((e) => e.name));
      const runtime = JSON.parse(run(`console.log(JSON.stringify(Object.keys(await import('${specifier}'))))`)) as string[];
      expect(runtime.filter((name) => name !== 'default' && !declared.has(name))).toEqual([]);
    }
  });

  it.each(['nodenext', 'bundler'] as const)('type-checks a file importing every export (moduleResolution %s)', (resolution) => {
    const imports = (Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][]).map(([entry, specifier]) => {
      const names = exportsOf(app.pkg, entry).map((e) => (e.typeOnly ? `type ${e.name}` : e.name));
      return `import { ${names.join(', ')} } from '${specifier}';`;
    });
    // An import of a name the declarations lack fails (TS2305); with noUnusedLocals off, importing
    // is all that every name needs, generic types included.
    writeFileSync(join(app.dir, 'all-exports.ts'), `${imports.join('\n')}\nexport {};\n`);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
        moduleResolution: resolution,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['all-exports.ts'],
    };
    writeFileSync(join(app.dir, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = app.node([tsc, '-p', `tsconfig.${resolution}.json`]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the vgetrandom command, installed', () => {
  const command = (args: string[]) => {
    const r = app.node([join(app.dir, 'node_modules', '.bin', 'vgetrandom'), ...args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('--help and --version', () => {
    expect(command(['--help'])).toMatch(/vgetrandom bench/u);
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(command(['--version']).trim()).toBe(version);
  });

  it('demo --json', () => {
    const facts = JSON.parse(command(['demo', '--json'])) as { backend?: string };
    expect(facts.backend).toBe(LINUX_X64 ? 'native' : 'simulated');
  });

  it('bench --quick', () => {
    expect(command(['bench', '--quick'])).toMatch(/vgetrandom/u);
  });
});

describe("the README's examples, run as written", () => {
  const blocks = readmeBlocks();

  it('has the blocks of the Use, API and Worker threads sections', () => {
    expect(blocks.map((b) => b.section)).toEqual(expect.arrayContaining(['Use', 'API', 'Worker threads']));
  });

  it.each(blocks.map((b, i) => [`${b.section} #${i + 1} (${b.lang})`, b] as const))('%s', (_, block) => {
    const file = join(app.dir, `readme-${blocks.indexOf(block) + 1}.${block.lang === 'ts' ? 'mts' : 'mjs'}`);
    writeFileSync(file, block.code);
    const r = app.node([...(block.lang === 'ts' ? TSX : []), file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the tarball', () => {
  it('holds what a published package needs, and no sources it does not run', () => {
    const files = execFileSync('tar', ['-tzf', app.tarball], { encoding: 'utf8' }).split('\n');
    for (const needed of [
      'package/LICENSE',
      'package/README.md',
      'package/package.json',
      'package/dist/index.js',
      'package/dist/index.cjs',
      'package/binding.gyp',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it('ships every file the README links to, so that its links work where the package is read', () => {
    const files = new Set(execFileSync('tar', ['-tzf', app.tarball], { encoding: 'utf8' }).split('\n'));
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/gu)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/u.test(l));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !files.has(`package/${l}`))).toEqual([]);
  });
});
