// Step 1: what the kernel offers: its release, whether its vDSO exports getrandom(), the params
// that probe returns (state size, mmap prot and flags) and whether mmap() accepts MAP_DROPPABLE.

import { arch, platform, release } from 'node:os';
import { info } from '../index.js';
import { MAP_ANONYMOUS, MAP_DROPPABLE, MAP_PRIVATE, MAP_SHARED, MAP_TYPE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../mm/index.js';
import type { DemoContext } from './context.js';
import type { ProbeFacts } from './facts.js';

/** `PROT_READ|PROT_WRITE` for 3. */
export function protNames(prot: number): string {
  const names = [
    [PROT_READ, 'PROT_READ'],
    [PROT_WRITE, 'PROT_WRITE'],
    [PROT_EXEC, 'PROT_EXEC'],
  ] as const;
  const set = names.filter(([bit]) => (prot & bit) !== 0).map(([, name]) => name);
  return set.length === 0 ? 'PROT_NONE' : set.join('|');
}

/** `MAP_DROPPABLE|MAP_ANONYMOUS` for 0x28 (the map type, then the flags the demo knows). */
export function mapFlagNames(flags: number): string {
  const types: Record<number, string> = {
    [MAP_SHARED]: 'MAP_SHARED',
    [MAP_PRIVATE]: 'MAP_PRIVATE',
    3: 'MAP_SHARED_VALIDATE',
    [MAP_DROPPABLE]: 'MAP_DROPPABLE',
  };
  const type = flags & MAP_TYPE;
  const parts = [types[type] ?? `type 0x${type.toString(16)}`];
  if ((flags & MAP_ANONYMOUS) !== 0) parts.push('MAP_ANONYMOUS');
  const rest = flags & ~(MAP_TYPE | MAP_ANONYMOUS);
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}

export function probe(ctx: DemoContext): ProbeFacts {
  const base = { platform: platform(), arch: arch() };
  if (ctx.binding === null) {
    const { params } = info();
    const p = { ...params, source: 'modelled' as const };
    return {
      ...base,
      kernel: release(),
      vdso: null,
      mapDroppable: null,
      params: p,
      sentence:
        `The kernel was not probed (simulated backend: ${ctx.reason ?? 'no addon'}); the simulated mm answers as Linux 6.11+ does: ` +
        `${p.sizeOfOpaqueState}-byte states in ${protNames(p.mmapProt)}, ${mapFlagNames(p.mmapFlags)} memory.`,
    };
  }
  const native = ctx.native().info();
  const p = { ...native.params, source: native.vdso ? ('vdso' as const) : ('defaults' as const) };
  const kernel = native.kernel ?? release();
  const vdso = native.vdso
    ? `exports getrandom() from its vDSO, whose params probe asks for`
    : `does not export getrandom() from its vDSO, so the library uses the kernel's defaults:`;
  const droppable = native.droppable
    ? 'and mmap() accepts MAP_DROPPABLE'
    : 'but mmap() rejects MAP_DROPPABLE (a kernel before 6.11), so the arena falls back to private memory with MADV_WIPEONFORK and MADV_DONTDUMP';
  return {
    ...base,
    kernel,
    vdso: native.vdso,
    mapDroppable: native.droppable,
    params: p,
    sentence: `Linux ${kernel} ${vdso} ${p.sizeOfOpaqueState}-byte states in ${protNames(p.mmapProt)}, ${mapFlagNames(p.mmapFlags)} memory, ${droppable}.`,
  };
}
