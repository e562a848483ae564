// What the figures were measured on: Node, CPU, kernel, and vgetrandom's backend.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { BULK_MIN_BLOCKS } from '../src/arena/native-allocator.js';
import { simdAvailable } from '../src/core/chacha20-simd.js';
import { type Info, info } from '../src/index.js';
import { loadNative, type NativeChachaCore } from '../src/platform/addon/binding.js';

export interface Machine {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpu: string;
  cores: number;
  /** os.type() and os.release(), e.g. `Linux 6.11.0`. */
  kernel: string;
  vgetrandom: Info;
  /** The addon's ChaCha20 core (its dispatch's choice for this CPU), or null without the addon. */
  chacha20Core: NativeChachaCore | null;
  /** The CPU's widest SIMD level, from its flags in /proc/cpuinfo: `AVX-512`, `AVX2`, `SSSE3`, or `unknown`. */
  simd: string;
  /** The pure path's WebAssembly SIMD core runs here (src/core/chacha20-simd.ts). */
  wasmSimd: boolean;
  date: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    kernel: `${os.type()} ${os.release()}`,
    vgetrandom: info(),
    chacha20Core: loadNative().binding?.chacha20Core() ?? null,
    simd: simdLevel(),
    wasmSimd: simdAvailable(),
    date: new Date().toISOString(),
  };
}

/** The widest SIMD level the CPU reports (Linux x86-64), for the header: figures differ by it. */
function simdLevel(): string {
  let flags: Set<string>;
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    flags = new Set(line?.[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return 'unknown';
  }
  if (flags.has('avx512f')) return 'AVX-512';
  if (flags.has('avx2')) return 'AVX2';
  if (flags.has('ssse3')) return 'SSSE3';
  return 'unknown';
}

/** One line for a table's or chart's caption. */
export function describe(m: Machine): string {
  const { backend, droppable, vdso, reason } = m.vgetrandom;
  const how =
    backend === 'native' ? `${droppable ? 'MAP_DROPPABLE' : 'wipe-on-fork'} pages${vdso ? ', kernel vDSO getrandom' : ''}` : reason;
  // Which core served each size on the native backend: runs of at least BULK_MIN_BLOCKS whole
  // blocks (and their refill) go to the addon's core, everything else to the TypeScript one.
  const min = m.chacha20Core === null ? 0 : BULK_MIN_BLOCKS[m.chacha20Core] * 64;
  const cores =
    backend === 'native' && m.chacha20Core !== null
      ? `; ChaCha20: TypeScript for runs below ${min} B, the addon's ${m.chacha20Core} core from ${min} B`
      : '';
  // The pure path (the simulated backend's runs, and the native one's below the addon's): whole
  // groups of four blocks on the WebAssembly SIMD core where it runs, else TypeScript alone.
  const pure = m.wasmSimd ? '; pure path: WebAssembly SIMD for runs from 256 B' : '; pure path: TypeScript only (no WebAssembly SIMD)';
  return `Node ${m.node}, ${m.cores} × ${m.cpu} (${m.simd}), ${m.kernel} (${m.arch}); vgetrandom backend ${backend} (${how})${cores}${pure}`;
}
