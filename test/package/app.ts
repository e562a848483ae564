// A fresh application with the packed tarball installed, as a user gets it: `npm pack` of the
// repository (built), then `npm install <tarball>` into a temporary folder with no C compiler
// (CC and CXX are /bin/false), so that the addon comes from the prebuild or not at all.

import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The environment of a user's shell, plus `extra`: none of this suite's switches (VGETRANDOM_*, npm_*). */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VGETRANDOM_') || key.startsWith('npm_')) delete env[key];
  return { ...env, ...extra };
}

/** The environment of a user without a C compiler. */
export const NO_COMPILER = userEnv({ CC: '/bin/false', CXX: '/bin/false' });

/** The installed app: its folder, and how to run node in it. */
export interface App {
  dir: string;
  /** The installed package's folder. */
  pkg: string;
  tarball: string;
  /** How long `npm install` of the tarball took, in ms. */
  installMs: number;
  /** Runs node with `args` in the app's folder; stdout and stderr as text. */
  node(args: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
}

/** Packs the repository and installs the tarball into a new app folder. */
export function installApp(env: NodeJS.ProcessEnv = NO_COMPILER): App {
  const dir = mkdtempSync(join(tmpdir(), 'vgetrandom-app-'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, env: userEnv(), encoding: 'utf8' });
  const tarball = join(dir, packed.trim().split('\n').pop()!);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const t0 = performance.now();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', tarball], {
    cwd: dir,
    env,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  const installMs = performance.now() - t0;
  return {
    dir,
    pkg: join(dir, 'node_modules', 'vgetrandom'),
    tarball,
    installMs,
    node: (args, runEnv = userEnv()) => spawnSync(process.execPath, args, { cwd: dir, env: runEnv, encoding: 'utf8' }),
  };
}

/** `node --import` argument that runs TypeScript through this repository's tsx. */
export const TSX = ['--import', pathToFileURL(join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href];
