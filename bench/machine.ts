// What the figures were measured on: Node, CPU, kernel, and vgetrandom's backend.

import os from 'node:os';
import { BULK_MIN_BLOCKS } from '../src/core/vgetrandom.js';
import { type Info, info } from '../src/index.js';
import { loadNative } from '../src/platform/addon/binding.js';

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
  /** The CPU's SIMD level as the addon's ChaCha20 dispatch sees it, or null without the addon. */
  chacha20Core: string | null;
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
    date: new Date().toISOString(),
  };
}

/** One line for a table's or chart's caption. */
export function describe(m: Machine): string {
  const { backend, droppable, vdso, reason } = m.vgetrandom;
  const how =
    backend === 'native' ? `${droppable ? 'MAP_DROPPABLE' : 'wipe-on-fork'} pages${vdso ? ', kernel vDSO getrandom' : ''}` : reason;
  // Which core served each size on the native backend: runs of at least BULK_MIN_BLOCKS whole
  // blocks go to the addon's SIMD core, everything else to the TypeScript one.
  const cores =
    backend === 'native' && m.chacha20Core !== null
      ? `; ChaCha20: TypeScript below ${BULK_MIN_BLOCKS * 64} B, the addon's ${m.chacha20Core} core for runs from ${BULK_MIN_BLOCKS * 64} B`
      : '';
  return `Node ${m.node}, ${m.cores} × ${m.cpu}, ${m.kernel} (${m.arch}); vgetrandom backend ${backend} (${how})${cores}`;
}
