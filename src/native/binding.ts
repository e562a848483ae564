// Loads the native addon, or says why not. The library runs on its simulated backend whenever
// this returns no binding. Two files may hold it, both inside the package root: the prebuild
// shipped in the tarball (prebuilds/<platform>-<arch>/vgetrandom.napi.glibc.node, made by
// prebuildify; Node-API, so one binary serves every Node line), chosen by node-gyp-build's own
// tag helpers so that the loader agrees with the install script, and build/Release/vgetrandom.node
// (compiled at install when no prebuild matched, or by a developer). From dist/ (the package as
// installed) the prebuild comes first; from src/native/ (a checkout, under vitest or tsx) the
// local build does, so that a stale prebuild never shadows a fresh compile of native/*.c. A file
// that fails to load gives way to the next; a refused one (below) ends the search.
//
// The addon is found only relative to this module's own file: the package root is the directory
// above dist/ (the tsup bundles) or above src/native/ (vitest and tsx), and it must hold a
// package.json named "vgetrandom", and neither it nor the file may be writable by every user or
// belong to a stranger. Nothing else is ever loaded: not a
// path from the environment, not a package resolved from the working directory or its ancestors
// (a copy of the bundle run from a folder holding a planted node_modules/vgetrandom would run
// that folder's native code). A copy of the library bundled into an application, away from its
// package, runs on the simulated backend and says why, unless the application names the package
// directory itself (useAddonDirectory(): code of the application's, as trusted as a `require` of
// it). It is loaded with process.dlopen, which needs neither `require` (absent in ESM) nor
// `import.meta` (empty in the CJS bundle).
//
// node-gyp-build is only consulted for its tag parsing (node-gyp-build.js), resolved as the
// package's own dependency from the package root, never for a path: its path()/load() would
// honour VGETRANDOM_PREBUILD from the environment and prefer build/ over prebuilds/.
//
// When the package holds no addon that loads (on Linux x64, where one ships prebuilt; elsewhere
// on Linux when the install's compile left a record of failing), the first loadNative() of the
// process's main thread prints one line to stderr (VGETRANDOM_QUIET=1 silences it), and the
// reason carries the compiler's last lines from build/vgetrandom-build-error.txt, which
// scripts/install.cjs writes when the compile fails.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { invalidArgValue, invalidState } from '../errors.js';
import { isBuildingSnapshot } from '../snapshot.js';

/** One state slice from the process-wide arena. */
export interface NativeSlice {
  /** An external ArrayBuffer over exactly the slice's 144 bytes, in a droppable page. */
  readonly buffer: ArrayBuffer;
  /** Address of the page holding the slice. */
  readonly pageAddr: number;
  /** Byte offset of the slice in its page: a multiple of 144 (so of 8), at most pageSize − 144. */
  readonly offset: number;
}

/** Counts of the whole process's arena (every thread's slices). */
export interface NativeArenaStats {
  pages: number;
  statesInUse: number;
  statesFree: number;
}

export interface NativeInfo {
  /** The arena's pages are MAP_DROPPABLE (false: the kernel refused it, so private + wipe-on-fork). */
  droppable: boolean;
  /** The kernel's vDSO exports getrandom(). */
  vdso: boolean;
  /** The vDSO's params probe, or the defaults {144, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS}. */
  params: { sizeOfOpaqueState: number; mmapProt: number; mmapFlags: number };
  /** uname(2) release. */
  kernel: string | null;
  /** The VmFlags line of /proc/self/smaps for the arena's first page (`... nr wf dd dp`). */
  vmFlags: string | null;
  pageSize: number;
  /** Slices per page: floor(pageSize / 144) = 28 for 4 KiB. */
  statesPerPage: number;
}

/**
 * A ChaCha20 block core of the addon (native/chacha20.c), best first: 16, 8 or 4 blocks at a
 * time in vector lanes, or one at a time in portable C.
 */
export type NativeChachaCore = 'avx512' | 'avx2' | 'sse' | 'scalar';

/** What forkCheck() reports: this thread's env in the parent just before fork(), and in the child. */
export interface NativeForkCheck {
  /** This thread's generation cell just before fork(). */
  parentGeneration: number;
  /** Slices in use in the whole arena, and held by this thread's env, just before fork(). */
  parentStatesInUse: number;
  parentStatesHeld: number;
  /** Generation cells registered (one per env that asked for one). */
  parentCells: number;
  /** The child's cell (this env's), read first thing after fork(). */
  childGenerationAtFork: number;
  /** The child's process-wide generation right after (through the generation lock). */
  childGenerationNow: number;
  /** The child's arena (through the arena lock): in use in all, and held by this env. */
  childStatesInUse: number;
  childStatesHeld: number;
  childCells: number;
  /** Whether the child believed a dropper thread ran (through the dropper lock). */
  childDropperRunning: boolean;
  /** The child took a fresh slice, found it zero, and gave it back. */
  childAllocOk: boolean;
  /** How long the child waited, and its cell afterwards. */
  childWaitedMs: number;
  childGenerationLater: number;
}

/** What build/Release/vgetrandom.node exports (native/vgetrandom.c). */
export interface NativeBinding {
  /** A zeroed state slice that no other thread or caller holds. */
  allocState(): NativeSlice;
  /** Zeroes the slice, returns it to the arena and detaches `buffer`. Throws on a double free. */
  freeState(buffer: ArrayBuffer): void;
  arenaStats(): NativeArenaStats;
  /**
   * getrandom(2), looping on short reads and EINTR; returns the byte count. Like every buffer
   * argument of the addon, `buffer` is an ArrayBuffer or a Uint8Array (a Buffer is one): any other
   * view is a TypeError (ERR_INVALID_ARG_TYPE), with nothing written.
   */
  getrandom(buffer: ArrayBuffer | Uint8Array, flags?: number): number;
  /** The kernel's own vDSO generator over this thread's state; throws (code ENOSYS) without one. */
  vdsoGetrandom(buffer: ArrayBuffer | Uint8Array, flags?: number): number;
  /** Nanoseconds per call of a C loop of `calls` requests of `bytesPerCall` bytes. */
  vdsoBench(bytesPerCall: number, calls: number, which: 'vdso' | 'syscall'): number;
  /** Maps the arena's first page if there is none yet. */
  info(): NativeInfo;
  /** madvise(MADV_PAGEOUT) on the arena page holding `target` (a slice's buffer, or a page address). */
  pageout(target: ArrayBuffer | Uint8Array | number): void;
  /** Drops every arena page now; returns how many. */
  pageoutAll(): number;
  /** Starts a pthread dropping every arena page every `intervalMicros` µs (default 50). One per process. */
  startDropper(intervalMicros?: number): void;
  /** Stops it; returns its page drops (0 if none was running). */
  stopDropper(): number;
  /** Forks for real: does the child see `buffer` as all zero, and is the parent's unchanged? */
  forkProbe(buffer: ArrayBuffer | Uint8Array): { childSawZero: boolean; parentIntact: boolean };
  /**
   * For tests: forks with fork(), every atfork handler included, and reports what the child sees
   * of the addon through its own locked calls (a lock left held across the fork would hang the
   * child). The child waits until its generation moved on `minTicks` times, at most `waitMs` ms
   * (`minTicks` 0: the whole `waitMs`), before its last read. Registers this thread's generation
   * cell first. Blocks until the child reports; throws (code ERR_VGETRANDOM_FORK) if it has not
   * after `waitMs` + 10 s (the child is killed).
   */
  forkCheck(waitMs?: number, minTicks?: number): NativeForkCheck;
  /**
   * This thread's cell of the process-wide generation: 8 bytes, read as u32 words {low, high},
   * kept current by the addon's ticker (a new generation every 59 s) and by bumpGeneration().
   * The low word is never 0.
   */
  generationCell(): ArrayBuffer;
  /** Moves the process-wide generation on now; returns the new one. */
  bumpGeneration(): number;
  /**
   * Writes `nblocks` ChaCha20 blocks into the first `nblocks * 64` bytes of `out`, byte for byte
   * what src/chacha20.ts writes: DJB layout, zero nonce, blocks `counter`, `counter + 1`, … with
   * the 64-bit counter carrying from word 12 into 13. `key` is 32 bytes (eight little-endian
   * words, as in a state), read whole before any output is written, so `out` may overlap it.
   * Neither needs any alignment; the rest of `out` is left alone.
   *
   * Throws a TypeError (ERR_INVALID_ARG_TYPE) for a non-number argument or a buffer argument that
   * is neither an ArrayBuffer nor a Uint8Array, and a
   * RangeError (ERR_OUT_OF_RANGE) when `key` is not 32 bytes, `counter` is not an integer in
   * [0, 2^53), `nblocks` not an integer in [0, 2^32), or `out` is shorter than `nblocks * 64`
   * bytes (nothing is written then).
   */
  chacha20Blocks(out: ArrayBuffer | Uint8Array, key: ArrayBuffer | Uint8Array, counter: number, nblocks: number): void;
  /**
   * The core chacha20Blocks() runs on, chosen once per process: the best this CPU has, capped by
   * `VGETRANDOM_CHACHA=scalar|sse|avx2|avx512` in the environment when the addon first uses it
   * (a cap above what the CPU has, `auto`, or any other value: the best).
   */
  chacha20Core(): NativeChachaCore;
}

export interface NativeLoad {
  binding: NativeBinding | null;
  /** Why there is no binding. */
  reason?: string;
  /** The file loaded, or looked for (the first candidate, when none was there). */
  path?: string;
}

const EXPORTS: readonly (keyof NativeBinding)[] = [
  'allocState',
  'freeState',
  'arenaStats',
  'getrandom',
  'vdsoGetrandom',
  'vdsoBench',
  'info',
  'pageout',
  'pageoutAll',
  'startDropper',
  'stopDropper',
  'forkProbe',
  'forkCheck',
  'generationCell',
  'bumpGeneration',
  'chacha20Blocks',
  'chacha20Core',
];

const PACKAGE_NAME = 'vgetrandom';
const ADDON = join('build', 'Release', 'vgetrandom.node');
/** What scripts/install.cjs leaves when the install's compile failed: the compiler's last lines. */
export const BUILD_ERROR_FILE = join('build', 'vgetrandom-build-error.txt');

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

function isPackageRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

// The package directory the application named (useAddonDirectory()), if it did.
let named: string | undefined;

/**
 * The vgetrandom package root: the one the application named, else the package this module is
 * part of: the directory above dist/ (the tsup bundles) or above src/native/ (the TS source),
 * if it holds vgetrandom's package.json. Never a directory found any other way: a bundled copy
 * in /somewhere/app/ must not load /somewhere/build/Release/vgetrandom.node.
 */
export function packageRoot(): string | undefined {
  if (named !== undefined) return named;
  const file = moduleFile();
  if (file === undefined) return undefined;
  const here = dirname(file);
  let root: string | undefined;
  if (basename(here) === 'dist') root = dirname(here);
  else if (basename(here) === 'native' && basename(dirname(here)) === 'src') root = dirname(dirname(here));
  return root !== undefined && isPackageRoot(root) ? root : undefined;
}

/**
 * Why the addon at `root/<rel>` must not be loaded, or undefined: the file, or a directory on
 * the way to it from `root` (root included), is writable by every user, or belongs to a user other
 * than root, this process's or this module's owner. (Group-writable is fine: umask 002 is common.)
 */
function untrusted(root: string, rel: string): string | undefined {
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
function prebuild(root: string): { rel: string } | string | undefined {
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
function buildError(root: string): string | undefined {
  try {
    const text = readFileSync(join(root, BUILD_ERROR_FILE), 'utf8').trim();
    return text === '' ? undefined : text.slice(-4096);
  } catch {
    return undefined;
  }
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

/**
 * For a copy of the library that is not inside its package (bundled into an application, or
 * into a startup snapshot's entry script): loads the native addon from the vgetrandom package at
 * `dir` (its matching prebuild, else its build/Release/vgetrandom.node). Call it before the first draw of this thread (each
 * worker thread has its own copy of the library, and calls it too). Throws ERR_INVALID_ARG_VALUE
 * if `dir` holds no vgetrandom package.json, ERR_INVALID_STATE once the addon was looked for.
 * @example useAddonDirectory('/app/node_modules/vgetrandom')
 */
export function useAddonDirectory(dir: string): void {
  if (cached !== undefined) throw invalidState('the native addon was already looked for: call useAddonDirectory() before the first draw');
  if (typeof dir !== 'string' || !isPackageRoot(dir)) throw invalidArgValue('dir', dir, 'is not a vgetrandom package directory');
  named = resolve(dir);
}

/**
 * Loads the addon now, without the cache, from `root` (default: packageRoot()).
 * `env.VGETRANDOM_NATIVE=0` forces the simulated backend.
 */
export function loadNativeUncached(env: NodeJS.ProcessEnv = process.env, root: string | undefined = packageRoot()): NativeLoad {
  if (env.VGETRANDOM_NATIVE === '0') return { binding: null, reason: 'VGETRANDOM_NATIVE=0' };
  if (process.platform !== 'linux') return { binding: null, reason: 'not Linux' };
  // The addon cannot be loaded while a startup snapshot is built (a snapshot cannot hold its state).
  if (isBuildingSnapshot()) return { binding: null, reason: 'building a startup snapshot' };

  if (root === undefined) {
    return {
      binding: null,
      reason: `this copy of ${PACKAGE_NAME} is not inside its package directory (bundled?), so its native addon is not loaded: see useAddonDirectory()`,
    };
  }
  // The candidates, best first (see the header), relative to root.
  const found = prebuild(root);
  const pre = typeof found === 'object' ? [found.rel] : [];
  const rels = basename(dirname(moduleFile() ?? '')) === 'dist' || named !== undefined ? [...pre, 'build/Release/vgetrandom.node'] : ['build/Release/vgetrandom.node', ...pre];
  const failures: string[] = [];
  let first: string | undefined;
  for (const rel of rels) {
    const path = join(root, rel);
    first ??= path;
    const refused = untrusted(root, rel);
    if (refused !== undefined) return { binding: null, reason: `the native addon is not loaded: ${refused}`, path };
    if (!existsSync(path)) continue;
    const load = dlopen(path);
    if (typeof load !== 'string') return { binding: load, path };
    failures.push(load);
  }
  const platform = `${process.platform}-${process.arch}`;
  const looked =
    typeof found === 'string'
      ? `prebuilds not searched: ${found}`
      : found === undefined
        ? `no prebuild for ${platform} in ${join(root, 'prebuilds')}`
        : `${join(root, found.rel)} did not load`;
  const missing = existsSync(join(root, ADDON)) ? '' : `; ${join(root, ADDON)} is missing (run \`npm rebuild ${PACKAGE_NAME}\`, or \`npm run build:native\` in a checkout)`;
  const record = buildError(root);
  const compiled = record === undefined ? '' : `; the install's compile failed (${join(root, BUILD_ERROR_FILE)}):\n${record}`;
  const why = failures.length > 0 ? `${failures.join('; ')}` : `native addon not built (${looked}${missing})`;
  return { binding: null, reason: failures.length > 0 ? `${why}${missing}${compiled}` : `${why}${compiled}`, path: first };
}

/** The binding at `path`, or why it cannot be used. */
function dlopen(path: string): NativeBinding | string {
  const module = { exports: {} as Record<string, unknown> };
  try {
    process.dlopen(module, path);
  } catch (err) {
    return `cannot load ${path}: ${(err as Error).message}`;
  }
  const missing = EXPORTS.filter((name) => typeof module.exports[name] !== 'function');
  if (missing.length > 0) return `${path} is stale (no ${missing.join(', ')}); rebuild it`;
  // No wrapper is needed to keep a slice on its thread: Node marks external ArrayBuffers
  // untransferable, so a postMessage or structuredClone transfer list copies the 144 bytes
  // instead of moving the slice (test/native.test.ts checks it).
  return module.exports as unknown as NativeBinding;
}

/** Set on globalThis once the degrade line was printed: one line even with both bundles loaded. */
const WARNED = Symbol.for('vgetrandom.simulatedBackendWarned');

/**
 * Prints, once per process (its main thread; both bundles count as one), the line saying that
 * the simulated backend serves because the package's addon is missing or unusable: on Linux
 * x64, where a prebuild ships, and elsewhere on Linux when the install's compile recorded a
 * failure. Never for VGETRANDOM_NATIVE=0, a startup snapshot, other systems, or a bundled copy
 * away from its package (its reason says so). VGETRANDOM_QUIET=1 silences it.
 */
function warnDegrade(load: NativeLoad, env: NodeJS.ProcessEnv, root: string | undefined): void {
  if (load.binding !== null || root === undefined || process.platform !== 'linux') return;
  if (env.VGETRANDOM_NATIVE === '0' || env.VGETRANDOM_QUIET === '1' || !isMainThread || isBuildingSnapshot()) return;
  const record = buildError(root);
  if (process.arch !== 'x64' && record === undefined) return;
  const g = globalThis as { [WARNED]?: boolean };
  if (g[WARNED] === true) return;
  g[WARNED] = true;
  const why = (load.reason ?? 'unknown').split('\n')[0]!.replace(/:$/, '');
  const more = record === undefined ? '' : "; info().reason has the compiler's last lines";
  process.stderr.write(`vgetrandom: using the pure (simulated) backend, not the native addon: ${why}${more}; VGETRANDOM_QUIET=1 silences this\n`);
}

let cached: NativeLoad | undefined;

/**
 * This thread's addon (each worker_thread loads it into its own env), loaded once, or
 * `{ binding: null, reason }`. Not cached while a startup snapshot is built: a process restored
 * from it loads the addon itself (src/snapshot.ts).
 * @example const { binding, reason } = loadNative(); if (!binding) console.log(reason);
 */
export function loadNative(): NativeLoad {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  const load = loadNativeUncached(process.env, root);
  if (!isBuildingSnapshot()) cached = load;
  warnDegrade(load, process.env, root);
  return load;
}
