// The model's vm_area_struct: one mapping record, immutable (every change makes a new record),
// and the rules about one record that several operations share: slicing, merging, accounting.

import { PROT_WRITE } from './constants.js';
import type { MappingFlags, MappingRecord } from './types.js';

/** A mapping inside the model. The same shape the handle of share() carries. */
export type Vma = MappingRecord;

/** The first address after `vma`. @example vmaEnd({ addr: 0x1000, length: 0x2000, ... }) // 0x3000 */
export function vmaEnd(vma: Vma): number {
  return vma.addr + vma.length;
}

/**
 * The part of `vma` inside [from, to), over the same memory at the matching offset: how the
 * kernel's split_vma() leaves both halves on the same pages.
 * @example sliceVma(vma, vma.addr + 4096, vmaEnd(vma)) // all but the first page
 */
export function sliceVma(vma: Vma, from: number, to: number): Vma {
  const start = Math.max(from, vma.addr);
  const end = Math.min(to, vmaEnd(vma));
  return { ...vma, addr: start, length: end - start, offset: vma.offset + (start - vma.addr) };
}

/** `vma` with some flags changed. @example withFlags(vma, { dontDump: true }) */
export function withFlags(vma: Vma, change: Partial<MappingFlags>): Vma {
  return { ...vma, flags: { ...vma.flags, ...change } };
}

/**
 * True if `b` continues `a` with the same memory, protection and flags, so the two are one
 * mapping again. The kernel merges such neighbours (mm/vma.c); pieces of one mmap() split by
 * madvise() or mlock() come back together once their flags agree again. Separate mmap() calls
 * never merge here: each has its own SharedArrayBuffer.
 * @example canMerge(sliceVma(v, v.addr, mid), sliceVma(v, mid, vmaEnd(v))) // true
 */
export function canMerge(a: Vma, b: Vma): boolean {
  if (vmaEnd(a) !== b.addr || a.buffer !== b.buffer || a.offset + a.length !== b.offset) return false;
  if (a.prot !== b.prot) return false;
  const fa = a.flags;
  const fb = b.flags;
  return (
    fa.shared === fb.shared &&
    fa.droppable === fb.droppable &&
    fa.wipeOnFork === fb.wipeOnFork &&
    fa.dontDump === fb.dontDump &&
    fa.noReserve === fb.noReserve &&
    fa.locked === fb.locked &&
    fa.growsDown === fb.growsDown
  );
}

/**
 * VM_ACCOUNT: a private writable mapping without VM_NORESERVE is charged against the commit
 * limit when it is made (mm/mmap.c accountable_mapping()). smaps shows it as `ac`.
 * @example isAccounted(vma) // false for MAP_DROPPABLE: it implies VM_NORESERVE
 */
export function isAccounted(vma: Vma): boolean {
  return !vma.flags.shared && !vma.flags.noReserve && (vma.prot & PROT_WRITE) !== 0;
}

/**
 * True if the mapping's bytes count in `committed`: VM_ACCOUNT mappings, and shared anonymous
 * memory without VM_NORESERVE, which mm/shmem.c (shmem_acct_size()) charges for the shmem
 * object behind it instead of the mapping. A private read-only mapping is not charged: it cannot
 * hold data of its own until mprotect() makes it writable, which charges it then.
 * @example chargesCommit(vma)
 */
export function chargesCommit(vma: Vma): boolean {
  return vma.flags.shared ? !vma.flags.noReserve : isAccounted(vma);
}
