// The model's address space: the mappings of one mm as an array in address order, never
// overlapping, and the range operations on it that every system call shares (find, split,
// change-then-merge). Pure functions: they return new arrays and never change a record.

import { canMerge, sliceVma, type Vma, vmaEnd } from './vma.js';

/**
 * The mappings that overlap [start, end).
 * @example overlapping(vmas, addr, addr + 4096)
 */
export function overlapping(vmas: readonly Vma[], start: number, end: number): Vma[] {
  return vmas.filter((v) => v.addr < end && vmaEnd(v) > start);
}

/**
 * The first address in [start, end) that no mapping covers, or `end` if all of it is mapped.
 * @example firstUnmapped(vmas, start, end) < end // the range has a hole
 */
export function firstUnmapped(vmas: readonly Vma[], start: number, end: number): number {
  let next = start;
  for (const v of overlapping(vmas, start, end)) {
    if (v.addr > next) break;
    next = vmaEnd(v);
  }
  return Math.min(next, end);
}

/**
 * `vmas` with the mapping that holds `addr` strictly inside it, if any, split in two at `addr`
 * (mm/vma.c split_vma(): both halves keep the same pages).
 * @example splitAt(vmas, addr + 4096)
 */
export function splitAt(vmas: readonly Vma[], addr: number): Vma[] {
  return vmas.flatMap((v) => (v.addr < addr && addr < vmaEnd(v) ? [sliceVma(v, v.addr, addr), sliceVma(v, addr, vmaEnd(v))] : [v]));
}

/**
 * `vmas` with `change` applied to the pages of [start, end): the mappings are split at the
 * range's edges, those inside changed, then neighbours that agree again merged (mm/vma.c
 * vma_modify() splits, vma_merge() joins), so only the range gets the change.
 * @example updateRange(vmas, addr, addr + 4096, (v) => withFlags(v, { dontDump: true }))
 */
export function updateRange(vmas: readonly Vma[], start: number, end: number, change: (v: Vma) => Vma): Vma[] {
  const merged: Vma[] = [];
  for (const old of splitAt(splitAt(vmas, start), end)) {
    const v = old.addr >= start && vmaEnd(old) <= end ? change(old) : old;
    const last = merged[merged.length - 1];
    if (last !== undefined && canMerge(last, v)) merged[merged.length - 1] = { ...last, length: last.length + v.length };
    else merged.push(v);
  }
  return merged;
}

/**
 * The mapping holding `addr` if [addr, end) lies in one mmap()'s memory (that mapping and the
 * pieces split off after it, contiguous in the same buffer), else undefined.
 * @example containing(vmas, addr, addr + 4096)?.buffer
 */
export function containing(vmas: readonly Vma[], addr: number, end: number): Vma | undefined {
  let i = vmas.findIndex((v) => v.addr <= addr && addr < vmaEnd(v));
  const first = vmas[i];
  if (first === undefined) return undefined;
  for (let last = first; vmaEnd(last) < end; last = vmas[i]!) {
    const next = vmas[++i];
    const continues =
      next !== undefined && next.addr === vmaEnd(last) && next.buffer === first.buffer && next.offset === last.offset + last.length;
    if (!continues) return undefined;
  }
  return first;
}
