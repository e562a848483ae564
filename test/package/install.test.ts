// Installing the packed tarball with a compiler that always fails (CC=/bin/false): the shipped
// prebuild must serve without compiling; without it, the failed compile must not fail the
// install, and the library must say, once on stderr and in info().reason, that it runs on the
// simulated backend and why; with a working compiler, the install script builds the addon.
// Logs the tarball's size and the install times.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, installApp, NO_COMPILER, userEnv } from './app.js';

const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

/** Runs npm in the app; returns its output and how long it took. */
function npm(app: App, args: string[], env: NodeJS.ProcessEnv): { out: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app.dir, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  expect(r.status, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return { out: r.stdout + r.stderr, ms };
}

/** What the installed package says in a fresh process of the app. */
function probe(app: App, env: NodeJS.ProcessEnv = {}): { backend: string; reason?: string; stderr: string } {
  const script =
    "const v = require('vgetrandom'); v.getrandom(new Uint8Array(16)); const i = v.info(); v.info(); console.log(JSON.stringify({ backend: i.backend, reason: i.reason }))";
  const r = app.node(['-e', script], userEnv(env));
  expect(r.status, r.stderr).toBe(0);
  return { ...(JSON.parse(r.stdout) as { backend: string; reason?: string }), stderr: r.stderr };
}

describe.runIf(LINUX_X64)('the packed tarball, installed', () => {
  let app: App;
  beforeAll(() => {
    app = installApp(NO_COMPILER);
    console.log(`tarball: ${statSync(app.tarball).size} bytes; install with the prebuild (CC=/bin/false): ${app.installMs.toFixed(0)} ms`);
  });

  it('installs without compiling (CC=/bin/false) and runs on the shipped prebuild', () => {
    expect(existsSync(join(app.pkg, 'prebuilds', 'linux-x64', 'vgetrandom.glibc.node'))).toBe(true);
    expect(existsSync(join(app.pkg, 'build', 'vgetrandom-build-error.txt'))).toBe(false);
    expect(existsSync(join(app.pkg, 'build', 'Release', 'vgetrandom.node'))).toBe(false);
    expect(probe(app)).toEqual({ backend: 'native', stderr: '' });
  });

  it('without the prebuild, a failed compile leaves the install working, says so once on stderr, and in info().reason', () => {
    rmSync(join(app.pkg, 'prebuilds'), { recursive: true });
    const { ms, out } = npm(app, ['rebuild', 'vgetrandom', '--foreground-scripts'], NO_COMPILER);
    console.log(`install script without the prebuild, failing compiler: ${ms.toFixed(0)} ms`);
    expect(out).toMatch(/vgetrandom: the native addon was not built/);
    const record = readFileSync(join(app.pkg, 'build', 'vgetrandom-build-error.txt'), 'utf8');
    expect(record).toMatch(/^the compile failed: node-gyp-build exited with code 1/);
    expect(record).toMatch(/Error 1/); // make's line for the compiler that failed

    const r = probe(app);
    expect(r.backend).toBe('simulated');
    expect(r.reason).toContain('native addon not built');
    expect(r.reason).toContain("the install's compile failed");
    expect(r.reason).toContain(record.trim().split('\n').at(-1));
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vgetrandom: using the pure \(simulated\) backend, not the native addon: native addon not built/);
    expect(probe(app, { VGETRANDOM_QUIET: '1' }).stderr).toBe('');
  });

  it('without the prebuild, a working compiler builds build/Release at install (and clears the record)', () => {
    const { ms } = npm(app, ['rebuild', 'vgetrandom', '--foreground-scripts'], userEnv());
    console.log(`install script without the prebuild, compiling: ${ms.toFixed(0)} ms`);
    expect(existsSync(join(app.pkg, 'build', 'vgetrandom-build-error.txt'))).toBe(false);
    expect(probe(app)).toEqual({ backend: 'native', stderr: '' });
  });
});
