// Where the native addon may come from: only the package that holds the loading module. A copy
// of the bundle run away from its package (bundled into an application), from a working
// directory that holds a planted node_modules/vgetrandom with a native library of its own, must
// not load that library: it runs on the simulated backend and says why. The planted library is
// real (built here with cc): its constructor would leave a marker file if it were ever loaded.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadNativeUncached, packageRoot } from '../../src/platform/addon/binding.js';
import { rootAbove, untrusted } from '../../src/platform/addon/package-root.js';

const root = packageRoot()!;
const work = mkdtempSync(join(tmpdir(), 'vgetrandom-loader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Bundles the loader as tsup does, ESM and CJS, into `dir`. */
async function bundleLoader(dir: string): Promise<{ esm: string; cjs: string }> {
  const { build } = await import('esbuild');
  const entry = join(root, 'src', 'platform', 'addon', 'binding.ts');
  const esm = join(dir, 'binding.mjs');
  const cjs = join(dir, 'binding.cjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: esm, logLevel: 'silent' });
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: cjs, logLevel: 'silent' });
  return { esm, cjs };
}

/**
 * Runs `loadNative()` of the bundle at `file` from `cwd` (with VGETRANDOM_QUIET=1 unless `env`
 * says otherwise: the degrade line has tests of its own); returns what it reported.
 */
function loadFrom(
  file: string,
  cwd: string,
  env: NodeJS.ProcessEnv = { VGETRANDOM_QUIET: '1' },
): { path?: string; reason?: string; loaded: boolean } {
  const r = runLoader(file, cwd, env);
  expect(r.stderr).toBe('');
  return r.result;
}

/** Runs `loadNative()` of the bundle at `file` (twice) from `cwd`; returns what it reported, and its stderr. */
function runLoader(
  file: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): { result: { path?: string; reason?: string; loaded: boolean }; stderr: string } {
  const load = file.endsWith('.mjs') ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
  const script = `${load}.then((m) => { m.loadNative(); const r = m.loadNative(); console.log(JSON.stringify({ path: r.path, reason: r.reason, loaded: r.binding !== null })); })`;
  const args = file.endsWith('.mjs') ? ['--input-type=module', '-e', script] : ['-e', script];
  const clean = { ...process.env };
  delete clean.VGETRANDOM_QUIET;
  delete clean.VGETRANDOM_NATIVE;
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd, env: { ...clean, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return { result: JSON.parse(r.stdout) as { path?: string; reason?: string; loaded: boolean }, stderr: r.stderr };
}

/** The marker a planted library's constructor leaves if it is ever loaded. */
const marker = join(work, 'planted-ran');

/**
 * Plants a package named vgetrandom at `dir` whose build/Release/vgetrandom.node is a real shared
 * library with a constructor that leaves `marker`.
 */
function plant(dir: string): void {
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vgetrandom' }));
  const source = join(work, 'planted.c');
  writeFileSync(
    source,
    `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void planted(void) { close(open(${JSON.stringify(marker)}, O_CREAT | O_WRONLY, 0600)); }\n`,
  );
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', join(dir, 'build', 'Release', 'vgetrandom.node'), source], { encoding: 'utf8' });
  expect(cc.status, cc.stderr).toBe(0);
}

/** A package directory with the real addon built into it, and its dist/ bundles of the loader. */
async function packageWithBuild(dir: string): Promise<{ esm: string; cjs: string; addon: string }> {
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vgetrandom' }));
  const addon = join(dir, 'build', 'Release', 'vgetrandom.node');
  cpSync(join(root, 'build', 'Release', 'vgetrandom.node'), addon);
  return { ...(await bundleLoader(join(dir, 'dist'))), addon };
}

/** Where prebuildify puts the Node-API prebuild for glibc Linux x64 (npm run build). */
const PREBUILD = join('prebuilds', 'linux-x64', 'vgetrandom.glibc.node');

/**
 * A package directory with its dist/ bundles of the loader and node-gyp-build beside it (as an
 * install leaves them), holding the real addon as a prebuild if `prebuild`, and a planted
 * build/Release/vgetrandom.node if `planted` (loading it would leave the marker).
 */
async function packageWith(
  dir: string,
  { prebuild, planted }: { prebuild: boolean; planted: boolean },
): Promise<{ esm: string; cjs: string; prebuild: string }> {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vgetrandom' }));
  symlinkSync(join(root, 'node_modules', 'node-gyp-build'), join(dir, 'node_modules', 'node-gyp-build'));
  if (planted) plant(dir);
  if (prebuild) {
    mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
    cpSync(join(root, 'build', 'Release', 'vgetrandom.node'), join(dir, PREBUILD));
  }
  return { ...(await bundleLoader(join(dir, 'dist'))), prebuild: join(dir, PREBUILD) };
}

describe.runIf(process.platform === 'linux')('the addon loader', () => {
  afterEach(() => expect(existsSync(marker), 'a planted library was loaded').toBe(false));

  it('never loads a planted node_modules/vgetrandom from the working directory', async () => {
    // The application: a bundled copy of the library, outside any vgetrandom package.
    const app = join(work, 'app');
    mkdirSync(join(app, 'dist'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app' }));
    const { esm, cjs } = await bundleLoader(join(app, 'dist'));
    plant(join(app, 'node_modules', 'vgetrandom'));
    for (const file of [esm, cjs]) {
      for (const cwd of [app, join(app, 'dist')]) {
        const r = loadFrom(file, cwd);
        expect(r.loaded).toBe(false);
        expect(r.reason).toMatch(/not inside its package directory/);
        expect(r.path).toBeUndefined();
      }
    }
  });

  it('never loads a package planted in a directory above a bundle that is not in its dist/', async () => {
    // /X/app/bundle.mjs beside a planted /X/package.json and /X/build/Release/vgetrandom.node.
    const above = join(work, 'above');
    plant(above);
    const { esm, cjs } = await bundleLoader(join(above, 'app'));
    for (const file of [esm, cjs])
      expect(loadFrom(file, above)).toMatchObject({ loaded: false, reason: expect.stringMatching(/not inside its package directory/) });
  });

  it('refuses a package directory or addon that every user may write, or that a stranger owns', async () => {
    const pkg = join(work, 'exposed');
    const { esm, addon } = await packageWithBuild(pkg);
    expect(loadFrom(esm, '/')).toMatchObject({ loaded: true });
    for (const path of [pkg, join(pkg, 'build', 'Release'), addon]) {
      const mode = statSync(path).mode & 0o777;
      chmodSync(path, mode | 0o002);
      expect(loadFrom(esm, '/')).toMatchObject({
        loaded: false,
        reason: `the native addon is not loaded: ${path} is writable by every user`,
      });
      chmodSync(path, mode);
    }
    if (process.geteuid?.() === 0) {
      chownSync(addon, 12345, 12345);
      expect(loadFrom(esm, '/')).toMatchObject({ loaded: false, reason: expect.stringContaining(`${addon} belongs to uid 12345`) });
      chownSync(addon, 0, 0);
    }
    expect(loadFrom(esm, '/')).toMatchObject({ loaded: true });
  });

  it('an ESM copy ignores a global __filename (a common shim): only import.meta.url says where it is', async () => {
    const app = join(work, 'shimmed');
    const { esm } = await bundleLoader(join(app, 'dist'));
    const script = `globalThis.__filename = ${JSON.stringify(join(root, 'dist', 'index.js'))};
      import(${JSON.stringify(esm)}).then((m) => { const r = m.loadNative(); console.log(JSON.stringify({ loaded: r.binding !== null, reason: r.reason })); })`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: app });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ loaded: false, reason: expect.stringMatching(/not inside its package directory/) });
  });

  it('a bundle inside the package (dist/) loads the package build from any working directory', async () => {
    const { esm, cjs, addon } = await packageWithBuild(join(work, 'pkg'));
    for (const file of [esm, cjs]) expect(loadFrom(file, '/')).toEqual({ path: addon, loaded: true });
  });

  it('a bundle away from its package loads the addon of the package the application names, and only before its first draw', async () => {
    const app = join(work, 'named');
    const { esm, cjs } = await bundleLoader(join(app, 'dist'));
    for (const file of [esm, cjs]) {
      const load = file.endsWith('.mjs') ? `import(${JSON.stringify(file)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
      const script = `${load}.then((m) => {
        const shape = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
        const bad = shape(() => m.useAddonDirectory(${JSON.stringify(app)}));
        const good = shape(() => m.useAddonDirectory(${JSON.stringify(root)}));
        const r = m.loadNative();
        const late = shape(() => m.useAddonDirectory(${JSON.stringify(root)}));
        console.log(JSON.stringify({ bad, good, path: r.path, late }));
      })`;
      const r = spawnSync(process.execPath, file.endsWith('.mjs') ? ['--input-type=module', '-e', script] : ['-e', script], {
        encoding: 'utf8',
        cwd: app,
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({
        bad: 'ERR_INVALID_ARG_VALUE',
        good: 'ok',
        // A named package is searched as an installed one: its prebuild (after npm run build) first.
        path: existsSync(join(root, PREBUILD)) ? join(root, PREBUILD) : join(root, 'build', 'Release', 'vgetrandom.node'),
        late: 'ERR_INVALID_STATE',
      });
    }
  });

  it('VGETRANDOM_NATIVE names no file to load: only 0 means anything', () => {
    plant(join(work, 'env'));
    const r = loadNativeUncached({ VGETRANDOM_NATIVE: join(work, 'env', 'build', 'Release', 'vgetrandom.node') });
    expect(r.path).toBe(join(root, 'build', 'Release', 'vgetrandom.node'));
    expect(loadNativeUncached({ VGETRANDOM_NATIVE: '0' })).toEqual({ binding: null, reason: 'VGETRANDOM_NATIVE=0' });
  });

  it('a package holding only a prebuild loads it', async () => {
    const { esm, cjs, prebuild } = await packageWith(join(work, 'only-prebuild'), { prebuild: true, planted: false });
    for (const file of [esm, cjs]) expect(loadFrom(file, '/')).toEqual({ path: prebuild, loaded: true });
  });

  it('a matching prebuild comes before build/Release (the planted build is never loaded)', async () => {
    const { esm, cjs, prebuild } = await packageWith(join(work, 'both'), { prebuild: true, planted: true });
    for (const file of [esm, cjs]) expect(loadFrom(file, '/')).toEqual({ path: prebuild, loaded: true });
  });

  it('a prebuild for another libc, or another system, is not a match', async () => {
    const pkg = join(work, 'musl-only');
    const { esm } = await packageWith(pkg, { prebuild: false, planted: false });
    for (const [dir, file] of [
      ['linux-x64', 'vgetrandom.musl.node'],
      ['darwin-x64', 'vgetrandom.node'],
      ['linux-arm64', 'vgetrandom.glibc.node'],
    ] as const) {
      mkdirSync(join(pkg, 'prebuilds', dir), { recursive: true });
      cpSync(join(root, 'build', 'Release', 'vgetrandom.node'), join(pkg, 'prebuilds', dir, file));
    }
    const r = loadFrom(esm, '/', { VGETRANDOM_QUIET: '1', LIBC: '' });
    expect(r).toMatchObject({ loaded: false, reason: expect.stringContaining(`no prebuild for linux-x64 in ${join(pkg, 'prebuilds')}`) });
  });

  it('refuses a prebuild whose directory or file every user may write (the build/Release behind it is not tried)', async () => {
    const pkg = join(work, 'exposed-prebuild');
    const { esm, prebuild } = await packageWith(pkg, { prebuild: true, planted: true });
    for (const path of [join(pkg, 'prebuilds'), join(pkg, 'prebuilds', 'linux-x64'), prebuild]) {
      const mode = statSync(path).mode & 0o777;
      chmodSync(path, mode | 0o002);
      expect(loadFrom(esm, '/')).toMatchObject({
        loaded: false,
        reason: `the native addon is not loaded: ${path} is writable by every user`,
        path: prebuild,
      });
      chmodSync(path, mode);
    }
    if (process.geteuid?.() === 0) {
      chownSync(join(pkg, 'prebuilds'), 12345, 12345);
      expect(loadFrom(esm, '/')).toMatchObject({
        loaded: false,
        reason: expect.stringContaining(`${join(pkg, 'prebuilds')} belongs to uid 12345`),
      });
      chownSync(join(pkg, 'prebuilds'), 0, 0);
    }
    expect(loadFrom(esm, '/')).toEqual({ loaded: true, path: prebuild });
  });

  it('without any addon: one stderr line per process (not with VGETRANDOM_QUIET=1 or VGETRANDOM_NATIVE=0), and the reason carries the recorded build error', async () => {
    const pkg = join(work, 'no-addon');
    const { esm, cjs } = await packageWith(pkg, { prebuild: false, planted: false });
    mkdirSync(join(pkg, 'build'), { recursive: true });
    writeFileSync(
      join(pkg, 'build', 'vgetrandom-build-error.txt'),
      'the compile failed: node-gyp-build exited with code 1\nmake: *** [vgetrandom.target.mk:126: Release/obj.target/vgetrandom/native/vgetrandom.o] Error 1\n',
    );
    for (const file of [esm, cjs]) {
      const loud = runLoader(file, '/', {});
      expect(loud.result.loaded).toBe(false);
      expect(loud.result.reason).toMatch(/^native addon not built/);
      expect(loud.result.reason).toContain(`the install's compile failed (${join(pkg, 'build', 'vgetrandom-build-error.txt')})`);
      expect(loud.result.reason).toContain('Release/obj.target/vgetrandom/native/vgetrandom.o] Error 1');
      const lines = loud.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1); // loadNative() ran twice
      expect(lines[0]).toMatch(
        /^vgetrandom: using the pure \(simulated\) backend, not the native addon: native addon not built .*VGETRANDOM_QUIET=1 silences this$/,
      );
      expect(runLoader(file, '/', { VGETRANDOM_QUIET: '1' }).stderr).toBe('');
      expect(runLoader(file, '/', { VGETRANDOM_NATIVE: '0' }).stderr).toBe('');
    }
    // Both bundles in one process (a dual-package load) print it once.
    const both = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
      const esm = await import(${JSON.stringify(esm)}); esm.loadNative(); createRequire(import.meta.url)(${JSON.stringify(cjs)}).loadNative();`,
      ],
      { encoding: 'utf8', cwd: '/' },
    );
    expect(both.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('takes the package root only from a dist/ or src/platform/addon/ directory, and only as an absolute path', () => {
    expect(rootAbove('/app/node_modules/vgetrandom/dist')).toBe('/app/node_modules/vgetrandom');
    expect(rootAbove('/work/vgetrandom/src/platform/addon')).toBe('/work/vgetrandom');
    // A checkout at the filesystem's root (a container run from /): the root is '/', not ''
    // (which would name the working directory, and skip every ownership check).
    expect(rootAbove('/src/platform/addon')).toBe('/');
    expect(rootAbove('/x/notsrc/platform/addon')).toBeUndefined();
    expect(rootAbove('/x/src/notplatform/addon')).toBeUndefined();
    expect(rootAbove('/x/src/platform/addon/more')).toBeUndefined();
    expect(rootAbove('dist')).toBeUndefined();
    expect(rootAbove('src/platform/addon')).toBeUndefined();
    expect(untrusted('', 'build/Release/vgetrandom.node')).toMatch(/not an absolute path/u);
    expect(untrusted('relative', 'build/Release/vgetrandom.node')).toMatch(/not an absolute path/u);
  });

  it('reports a package without a build instead of throwing', () => {
    const r = loadNativeUncached({}, join(work, 'no-build'));
    expect(r.binding).toBeNull();
    expect(r.reason).toMatch(/not built/);
  });
});
