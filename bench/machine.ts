// What the figures were measured on: Node, CPU, kernel, and vgetrandom's backend.

import os from 'node:os';
import { type Info, info } from '../src/index.js';

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
    date: new Date().toISOString(),
  };
}

/** One line for a table's or chart's caption. */
export function describe(m: Machine): string {
  const { backend, droppable, vdso, reason } = m.vgetrandom;
  const how =
    backend === 'native' ? `${droppable ? 'MAP_DROPPABLE' : 'wipe-on-fork'} pages${vdso ? ', kernel vDSO getrandom' : ''}` : reason;
  return `Node ${m.node}, ${m.cores} × ${m.cpu}, ${m.kernel} (${m.arch}); vgetrandom backend ${backend} (${how})`;
}
