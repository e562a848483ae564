// The addon files of a package root other than build/Release: the prebuild shipped in the
// tarball (prebuilds/<platform>-<arch>/vgetrandom.glibc.node, made by prebuildify; Node-API, so
// one binary serves every Node line), chosen with node-gyp-build's own tag helpers so that the
// loader agrees with the install script; and the record the install script leaves when its
// compile failed. node-gyp-build is consulted for its tag parsing only, resolved as the package's
// own dependency from the package root, never for a path: its path()/load() would honour
// VGETRANDOM_PREBUILD from the environment and prefer build/ over prebuilds/.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** What scripts/install.cjs leaves when the install's compile failed: the compiler's last lines. */
export const BUILD_ERROR_FILE = join('build', 'vgetrandom-build-error.txt');

/** The tag helpers node-gyp-build exports (node-gyp-build.js), as the install script uses them. */
interface TagHelpers {
  parseTuple(name: string): { name: string } | undefined;
  matchTuple(platform: string, arch: string): (tuple: unknown) => boolean;
  compareTuples(a: unknown, b: unknown): number;
  parseTags(file: string): { file: string } | undefined;
  matchTags(runtime: string, abi: string | undefined): (tags: unknown) => boolean;
  compareTags(runtime: string): (a: unknown, b: unknown) => number;
}

/** node-gyp-build's tag helpers, resolved as a dependency of the package at `root`; or why not. */
function tagHelpers(root: string): TagHelpers | string {
  try {
    const helpers = createRequire(join(root, 'package.json'))('node-gyp-build/node-gyp-build.js') as Partial<TagHelpers>;
    const names = ['parseTuple', 'matchTuple', 'compareTuples', 'parseTags', 'matchTags', 'compareTags'] as const;
    if (names.every((n) => typeof helpers[n] === 'function')) return helpers as TagHelpers;
    return 'node-gyp-build has no tag helpers';
  } catch (err) {
    return `node-gyp-build cannot be loaded from ${root} (${(err as Error).message.split('\n')[0]})`;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The prebuild in `root/prebuilds/` that node-gyp-build would choose for this process (Node
 * runtime, Node-API or this ABI, this platform, arch and libc), relative to root; a string
 * saying why none was looked for; or undefined when none matches.
 */
export function prebuild(root: string): { rel: string } | string | undefined {
  if (!existsSync(join(root, 'prebuilds'))) return undefined;
  const h = tagHelpers(root);
  if (typeof h === 'string') return h;
  const tuple = list(join(root, 'prebuilds'))
    .map((name) => h.parseTuple(name))
    .filter(h.matchTuple(process.platform, process.arch))
    .sort(h.compareTuples)[0];
  if (tuple === undefined) return undefined;
  const winner = list(join(root, 'prebuilds', tuple.name))
    .map((file) => h.parseTags(file))
    .filter(h.matchTags('node', process.versions.modules))
    .sort(h.compareTags('node'))[0];
  return winner === undefined ? undefined : { rel: `prebuilds/${tuple.name}/${winner.file}` };
}

/** The last lines the install's failed compile recorded in `root`, if it left any. */
export function buildError(root: string): string | undefined {
  try {
    const text = readFileSync(join(root, BUILD_ERROR_FILE), 'utf8').trim();
    return text === '' ? undefined : text.slice(-4096);
  } catch {
    return undefined;
  }
}
