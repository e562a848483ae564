// Loads the native addon (build/Release/vgetrandom.node, built by node-gyp at install time),
// or says why not. The library runs on its simulated backend whenever this returns no binding.
//
// The addon is found from the package root: the nearest directory above this file whose
// package.json is named "vgetrandom". That works from src/ (vitest, tsx), from the tsup
// bundles in dist/ (ESM and CJS alike) and from node_modules/vgetrandom. It is loaded with
// process.dlopen, which needs neither `require` (absent in ESM) nor `import.meta` (empty in
// the CJS bundle).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** What build/Release/vgetrandom.node exports (native/vgetrandom.c). */
export interface NativeBinding {
  /** A zeroed state slice that no other thread or caller holds. */
  allocState(): NativeSlice;
  /** Zeroes the slice, returns it to the arena and detaches `buffer`. Throws on a double free. */
  freeState(buffer: ArrayBuffer): void;
  arenaStats(): NativeArenaStats;
  /** getrandom(2), looping on short reads and EINTR; returns the byte count. */
  getrandom(buffer: ArrayBuffer | ArrayBufferView, flags?: number): number;
  /** The kernel's own vDSO generator over this thread's state; throws (code ENOSYS) without one. */
  vdsoGetrandom(buffer: ArrayBuffer | ArrayBufferView, flags?: number): number;
  /** Nanoseconds per call of a C loop of `calls` requests of `bytesPerCall` bytes. */
  vdsoBench(bytesPerCall: number, calls: number, which: 'vdso' | 'syscall'): number;
  /** Maps the arena's first page if there is none yet. */
  info(): NativeInfo;
  /** madvise(MADV_PAGEOUT) on the arena page holding `target` (a slice's buffer, or a page address). */
  pageout(target: ArrayBuffer | ArrayBufferView | number): void;
  /** Drops every arena page now; returns how many. */
  pageoutAll(): number;
  /** Starts a pthread dropping every arena page every `intervalMicros` µs (default 50). One per process. */
  startDropper(intervalMicros?: number): void;
  /** Stops it; returns its page drops (0 if none was running). */
  stopDropper(): number;
  /** Forks for real: does the child see `buffer` as all zero, and is the parent's unchanged? */
  forkProbe(buffer: ArrayBuffer | ArrayBufferView): { childSawZero: boolean; parentIntact: boolean };
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
   * Throws a TypeError (ERR_INVALID_ARG_TYPE) for a non-buffer or non-number argument, and a
   * RangeError (ERR_OUT_OF_RANGE) when `key` is not 32 bytes, `counter` is not an integer in
   * [0, 2^53), `nblocks` not an integer in [0, 2^32), or `out` is shorter than `nblocks * 64`
   * bytes (nothing is written then).
   */
  chacha20Blocks(out: ArrayBuffer | ArrayBufferView, key: ArrayBuffer | ArrayBufferView, counter: number, nblocks: number): void;
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
  /** The file loaded, or looked for. */
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
  'generationCell',
  'bumpGeneration',
  'chacha20Blocks',
  'chacha20Core',
];

const PACKAGE_NAME = 'vgetrandom';
const ADDON = join('build', 'Release', 'vgetrandom.node');

/** This module's directory, in the CJS bundle, the ESM bundle and the TS source. */
function moduleDir(): string | undefined {
  // The CJS bundle (and vitest's module wrapper) define __dirname; ESM has import.meta.url.
  if (typeof __dirname === 'string') return __dirname;
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

function isPackageRoot(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The vgetrandom package root: above this module, else as the application resolves it. */
export function packageRoot(): string | undefined {
  for (let dir = moduleDir(); dir !== undefined; ) {
    if (isPackageRoot(dir)) return dir;
    const parent = dirname(dir);
    dir = parent === dir ? undefined : parent;
  }
  // Bundled into someone's application: this file is no longer inside the package.
  try {
    const resolved = createRequire(join(process.cwd(), 'index.js')).resolve(`${PACKAGE_NAME}/package.json`);
    return dirname(resolved);
  } catch {
    return undefined;
  }
}

/**
 * Loads the addon now, without the cache. `env.VGETRANDOM_NATIVE`: `0` forces the simulated
 * backend; a path ending in `.node` loads that file instead of the package's build.
 */
export function loadNativeUncached(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  const setting = env.VGETRANDOM_NATIVE;
  if (setting === '0') return { binding: null, reason: 'VGETRANDOM_NATIVE=0' };
  if (process.platform !== 'linux') return { binding: null, reason: 'not Linux' };
  // The addon cannot be loaded while a startup snapshot is built (a snapshot cannot hold its state).
  if (isBuildingSnapshot()) return { binding: null, reason: 'building a startup snapshot' };

  let path: string;
  if (setting !== undefined && setting.endsWith('.node')) {
    path = resolve(setting); // dlopen() would search the library path for a bare name
  } else {
    const root = packageRoot();
    if (root === undefined) return { binding: null, reason: `cannot find the ${PACKAGE_NAME} package directory` };
    path = join(root, ADDON);
  }
  if (!existsSync(path)) {
    return { binding: null, reason: `native addon not built (${path} is missing; run \`npm rebuild ${PACKAGE_NAME}\`, or \`npm run install\` in a checkout)`, path };
  }

  const module = { exports: {} as Record<string, unknown> };
  try {
    process.dlopen(module, path);
  } catch (err) {
    return { binding: null, reason: `cannot load ${path}: ${(err as Error).message}`, path };
  }
  const missing = EXPORTS.filter((name) => typeof module.exports[name] !== 'function');
  if (missing.length > 0) {
    return { binding: null, reason: `${path} is stale (no ${missing.join(', ')}); rebuild it`, path };
  }
  // No wrapper is needed to keep a slice on its thread: Node marks external ArrayBuffers
  // untransferable, so a postMessage or structuredClone transfer list copies the 144 bytes
  // instead of moving the slice (test/native.test.ts checks it).
  const binding = module.exports as unknown as NativeBinding;
  return { binding, path };
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
  const load = loadNativeUncached();
  if (!isBuildingSnapshot()) cached = load;
  return load;
}
