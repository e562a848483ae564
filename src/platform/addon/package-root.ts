// Where the native addon may come from: the root of the vgetrandom package that holds this
// module's own file (the directory above dist/ in the package as installed, above src/platform/addon/ in
// a checkout), or a package directory the application names (useAddonDirectory()); and whether a
// file under that root may be trusted. Nothing else is ever a candidate: not a path from the
// environment, not a package resolved from the working directory or its ancestors (a copy of the
// bundle run from a folder holding a planted node_modules/vgetrandom would run that folder's
// native code), not a directory above a bundled copy that is not in its package.

import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'vgetrandom';

/** This module's file, in the ESM bundle, the TS source and the CJS bundle. */
function moduleFile(): string | undefined {
  // ESM (the ESM bundle; the TS source under vitest and tsx) has import.meta.url, and so has the
  // CJS bundle, where tsup's shim derives it from its module wrapper's __filename (a local that no
  // global can shadow). Failing that, __filename, which in ESM would be a global anyone may set:
  // read only when there is no file URL to read.
  const url = (import.meta as { url?: unknown }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return fileURLToPath(url);
  return typeof __filename === 'string' ? __filename : undefined;
}

/** True if `dir` holds a package.json named vgetrandom. */
export function isPackageRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

// The package directory the application named (useAddonDirectory()), if it did.
let named: string | undefined;

/** Makes `dir` (which the caller checked with isPackageRoot) the package root from now on. */
export function nameRoot(dir: string): void {
  named = resolve(dir);
}

/**
 * True where the prebuild comes before build/Release: in the package as installed (this module
 * in dist/) or one the application named; in a checkout (src/platform/addon/) a fresh compile wins.
 */
export function prebuildFirst(): boolean {
  return named !== undefined || basename(dirname(moduleFile() ?? '')) === 'dist';
}

/**
 * The package root for a module in directory `here`: the directory above `dist/` (the tsup
 * bundles) or above `src/platform/addon/` (the TS source in a checkout), if `here` is absolute and
 * is one of those; else undefined. Only ever an absolute path: a relative one would name
 * whatever directory the process runs in.
 * @example rootAbove('/app/node_modules/vgetrandom/dist') // '/app/node_modules/vgetrandom'
 */
export function rootAbove(here: string): string | undefined {
  if (!isAbsolute(here)) return undefined;
  if (basename(here) === 'dist') return dirname(here);
  const platform = dirname(here);
  const src = dirname(platform);
  if (basename(here) === 'addon' && basename(platform) === 'platform' && basename(src) === 'src') return dirname(src);
  return undefined;
}

/**
 * The vgetrandom package root: the one the application named, else the package this module is
 * part of: the directory above dist/ (the tsup bundles) or above src/platform/addon/ (the TS source),
 * if it holds vgetrandom's package.json. Never a directory found any other way: a bundled copy
 * in /somewhere/app/ must not load /somewhere/build/Release/vgetrandom.node.
 */
export function packageRoot(): string | undefined {
  if (named !== undefined) return named;
  const file = moduleFile();
  if (file === undefined) return undefined;
  const root = rootAbove(dirname(file));
  return root !== undefined && isPackageRoot(root) ? root : undefined;
}

/**
 * Why the addon at `root/<rel>` must not be loaded, or undefined: the file, or a directory on
 * the way to it from `root` (root included), is writable by every user, or belongs to a user other
 * than root, this process's or this module's owner. (Group-writable is fine: umask 002 is common.)
 */
export function untrusted(root: string, rel: string): string | undefined {
  if (!isAbsolute(root)) return `${JSON.stringify(root)} is not an absolute path`;
  const owners = new Set([0, process.geteuid?.(), moduleOwner()]);
  const chain = [root];
  for (const part of rel.split('/')) chain.push(join(chain[chain.length - 1]!, part));
  for (const path of chain) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) return undefined; // missing: reported as not built
    if ((st.mode & 0o002) !== 0) return `${path} is writable by every user`;
    if (!owners.has(st.uid)) return `${path} belongs to uid ${st.uid}, not to root, this process's user or this module's owner`;
  }
  return undefined;
}

/** The owner of this module's file, if it can be told. */
function moduleOwner(): number | undefined {
  try {
    const file = moduleFile();
    return file === undefined ? undefined : statSync(file).uid;
  } catch {
    return undefined;
  }
}
