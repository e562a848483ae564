// Loads the native addon, or says why not. The library runs on its simulated backend whenever
// this returns no binding.
//
// Candidates, all inside the package root that src/platform/addon/package-root.ts allows (this module's
// own package, or one the application names): the matching prebuild (src/platform/addon/prebuild.ts) and
// build/Release/vgetrandom.node (compiled at install when no prebuild matched, or by a
// developer). In the package as installed the prebuild comes first; in a checkout the local
// build does, so that a stale prebuild never shadows a fresh compile of native/*.c. A file that
// fails to load gives way to the next; one that may not be trusted (writable by every user, or a
// stranger's) ends the search. It is loaded with process.dlopen, which needs neither `require`
// (absent in ESM) nor `import.meta` (empty in the CJS bundle). Where an addon was expected and
// none loads, the first loadNative() says so on stderr (src/platform/addon/degrade.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArgValue, invalidState } from '../../base/errors.js';
import { isBuildingSnapshot } from '../snapshot.js';
import { warnDegrade } from './degrade.js';
import { isPackageRoot, nameRoot, PACKAGE_NAME, packageRoot, prebuildFirst, untrusted } from './package-root.js';
import { BUILD_ERROR_FILE, buildError, prebuild } from './prebuild.js';

export { packageRoot } from './package-root.js';

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
  /** How the kernel's CRNG generation reaches the states. */
  kernelGeneration: KernelGenerationMode;
}

/**
 * A ChaCha20 block core of the addon (native/chacha20.c), best first: 16, 8 or 4 blocks at a
 * time in vector lanes, or one at a time in portable C.
 */
export type NativeChachaCore = 'avx512' | 'avx2' | 'sse' | 'scalar';

/**
 * How the kernel's CRNG generation reaches the states (native/kernelgen.c): `mapped`, read where
 * the kernel keeps it, at every check (no lag); `polled`, through a probe state every `pollMs`;
 * `none`, not at all (no vDSO getrandom): only the 59 s ticker and reseed() move the generation.
 */
export type KernelGenerationMode = 'mapped' | 'polled' | 'none';

/** What kernelGeneration() reports. */
export interface NativeKernelGeneration {
  mode: KernelGenerationMode;
  /** The kernel's generation now, through a probe state; 0 if unknown. */
  now: number;
  /** How often the ticker polls in polled mode. */
  pollMs: number;
}

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
   * In mapped mode, 4 bytes of the kernel's read-only rng data page: the low word of the kernel's
   * CRNG generation, as the vDSO reads it (a write to it faults). Null in every other mode.
   * Registers this thread's generation cell first, so the mode is settled for the process.
   */
  kernelGenerationCell(): ArrayBuffer | null;
  /** How the kernel's generation reaches the states, and its value now. */
  kernelGeneration(): NativeKernelGeneration;
  /** ioctl(RNDRESEEDCRNG): the kernel reseeds now (root only; a system error EPERM otherwise). */
  kernelReseed(): void;
  /**
   * Writes `nblocks` ChaCha20 blocks into the first `nblocks * 64` bytes of `out`, byte for byte
   * what src/core/chacha20.ts writes: DJB layout, zero nonce, blocks `counter`, `counter + 1`, … with
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
   * Step 6 of the algorithm in one call: `nblocks` blocks under the key in `state` (a state's
   * bytes: key at 96) into `out`, then the next two over the state's batch and key, exactly as
   * chacha20Blocks(out, key, counter, nblocks) then chacha20Blocks(batch_key, key, counter +
   * nblocks, 2) would. `out` must not overlap the state (RangeError).
   */
  chacha20Refill(out: Uint8Array, state: Uint8Array, counter: number, nblocks: number): void;
  /**
   * The core chacha20Blocks() runs on, chosen once per process: the best this CPU has, capped by
   * `VGETRANDOM_CHACHA=scalar|sse|avx2|avx512` in the environment when the addon first uses it
   * (a cap above what the CPU has, `auto`, or any other value: the best).
   */
  chacha20Core(): NativeChachaCore;
  /**
   * This thread's ID pool page (src/core/id-pool.ts): one droppable page, zero when mapped,
   * reached by pageout(), pageoutAll(), the dropper and the expiry at the generation's wrap,
   * unmapped in a fork child for every other thread and when this thread's env goes. Every
   * call on one thread gives a buffer over the same page.
   */
  idPoolPage(): ArrayBuffer;
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
  'kernelGenerationCell',
  'kernelGeneration',
  'kernelReseed',
  'chacha20Blocks',
  'chacha20Refill',
  'chacha20Core',
  'idPoolPage',
];

const ADDON = join('build', 'Release', 'vgetrandom.node');

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
  nameRoot(dir);
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
  const rels = prebuildFirst() ? [...pre, ADDON] : [ADDON, ...pre];
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
  const missing = existsSync(join(root, ADDON))
    ? ''
    : `; ${join(root, ADDON)} is missing (run \`npm rebuild ${PACKAGE_NAME}\`, or \`npm run build:native\` in a checkout)`;
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
  // instead of moving the slice (test/platform/native.test.ts checks it).
  return module.exports as unknown as NativeBinding;
}

let cached: NativeLoad | undefined;

/**
 * This thread's addon (each worker_thread loads it into its own env), loaded once, or
 * `{ binding: null, reason }`. Not cached while a startup snapshot is built: a process restored
 * from it loads the addon itself (src/platform/snapshot.ts).
 * @example const { binding, reason } = loadNative(); if (!binding) console.log(reason);
 */
export function loadNative(): NativeLoad {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  const load = loadNativeUncached(process.env, root);
  if (!isBuildingSnapshot()) cached = load;
  if (load.binding === null) warnDegrade(load.reason, process.env, root);
  return load;
}
