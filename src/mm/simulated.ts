// A model of one Linux process's anonymous memory with the kernel's VM_DROPPABLE semantics
// (Linux 6.11, "mm: add MAP_DROPPABLE for designating always lazily freeable mappings"), over
// SharedArrayBuffer pages so that another thread can see and drop them while a generator runs.
// It answers mmap, munmap, madvise, mlock and munlock like the system calls (same flags, same
// errno for each rule), simulates memory pressure (reclaim), fork and core dumps, and prints
// /proc/self/smaps. See design.md §2 for the kernel facts it mirrors.

import { systemError, validateInteger, validateUint32 } from '../base/errors.js';
import { newSharedArrayBuffer, U8 } from '../base/intrinsics.js';
import { byteLengthOf, copyBytes } from '../base/views.js';
import {
  MADV_DODUMP,
  MADV_DONTDUMP,
  MADV_KEEPONFORK,
  MADV_PAGEOUT,
  MADV_WIPEONFORK,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from './constants.js';
import { mappingFlags } from './mmap-flags.js';
import { dropResident, residentPages } from './page.js';
import { smapsEntry } from './smaps.js';
import type { CoreDump, Mapping, MappingInfo, SimulatedMmHandle, SimulatedMmOptions } from './types.js';
import { chargesCommit, type Vma, vmaEnd, withFlags } from './vma.js';
import { containing, firstUnmapped, overlapping, splitAt, updateRange } from './vma-list.js';

/** Where mmap() starts handing out addresses: plausible x86-64 user addresses, growing upwards. */
const MMAP_BASE = 0x7f00_0000_0000;
/** x86-64 TASK_SIZE (4-level page tables): user mappings end below it. */
const TASK_SIZE = 0x7fff_ffff_f000;
/** Linux's default RLIMIT_MEMLOCK since 5.16. */
const DEFAULT_LOCK_LIMIT = 8 * 1024 * 1024;
const KNOWN_ADVICE = new Set([MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_PAGEOUT]);

/** Inode numbers smaps shows for shared memory objects; unique within this thread. */
let lastInode = 0;

const einval = (syscall: string, detail: string) => systemError('EINVAL', syscall, detail);
const enomem = (syscall: string, detail: string) => systemError('ENOMEM', syscall, detail);
const hex = (n: number) => `0x${n.toString(16)}`;
const pageUp = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** A byte count or address: a non-negative safe integer (Node's validateInteger rules). */
function validateSafeSize(value: unknown, name: string): asserts value is number {
  validateInteger(value, name, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * One process's anonymous memory, with Linux's rules for MAP_DROPPABLE, wipe-on-fork,
 * dont-dump, no-reserve and locked mappings. Addresses are plain numbers; each mmap() gets its
 * own SharedArrayBuffer.
 * @example
 * const mm = new SimulatedMm();
 * const { addr, bytes } = mm.mmap(4096, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS);
 * bytes.fill(1);
 * mm.reclaim(); // 1: the page was dropped
 * bytes[0]; // 0
 */
export class SimulatedMm {
  /** The mappings in address order, never overlapping. */
  #vmas: Vma[] = [];
  #nextAddr = MMAP_BASE;
  readonly #lockLimit: number;

  constructor(options: SimulatedMmOptions = {}) {
    const lockLimit = options.lockLimit ?? DEFAULT_LOCK_LIMIT;
    validateSafeSize(lockLimit, 'options.lockLimit');
    this.#lockLimit = lockLimit;
  }

  /**
   * An mm over the memory of `handle` (from share(), possibly in another thread): the same
   * pages, so a reclaim() here drops pages the sharing thread then reads as zero. It starts with
   * the mappings as they were at share(); later mmap, munmap, madvise or mlock calls on either
   * side are not seen by the other.
   * @example const mm = SimulatedMm.attach(workerData); mm.reclaim();
   */
  static attach(handle: SimulatedMmHandle): SimulatedMm {
    const mm = new SimulatedMm({ lockLimit: handle.lockLimit });
    mm.#nextAddr = handle.nextAddr;
    mm.#vmas = handle.mappings.map((m) => ({ ...m, flags: { ...m.flags } }));
    return mm;
  }

  /** The lock budget in bytes (RLIMIT_MEMLOCK). @example new SimulatedMm().lockLimit // 8388608 */
  get lockLimit(): number {
    return this.#lockLimit;
  }

  /**
   * Bytes charged against the commit limit (Committed_AS): private writable mappings (VM_ACCOUNT)
   * and shared ones, unless no-reserve. MAP_DROPPABLE implies no-reserve, so it is never charged.
   * @example mm.mmap(8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS); mm.committed // 8192
   */
  get committed(): number {
    return this.#vmas.reduce((sum, v) => (chargesCommit(v) ? sum + v.length : sum), 0);
  }

  /** Bytes locked (VmLck), counted against lockLimit. @example mm.mlock(addr, 4096); mm.locked // 4096 */
  get locked(): number {
    return this.#vmas.reduce((sum, v) => (v.flags.locked ? sum + v.length : sum), 0);
  }

  /**
   * Maps `length` bytes (rounded up to whole pages) of zeroed anonymous memory, like
   * `mmap(NULL, length, prot, flags, -1, 0)`. Throws EINVAL for a length of 0, flags without
   * MAP_ANONYMOUS (only anonymous memory is modelled), an unknown map type, MAP_HUGETLB (not
   * modelled), MAP_DROPPABLE with MAP_LOCKED, MAP_HUGETLB or MAP_GROWSDOWN, and a shared mapping
   * with MAP_GROWSDOWN; ENOMEM for MAP_LOCKED past the lock budget. Flags and prot bits the
   * model does not know (MAP_POPULATE, MAP_STACK, PROT_SEM, ...) are ignored, as Linux ignores
   * them. Protection is recorded (smaps shows it), not enforced.
   * @example const m = mm.mmap(4096, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS)
   */
  mmap(length: number, prot: number, flags: number): Mapping {
    validateSafeSize(length, 'length');
    validateUint32(prot, 'prot');
    validateUint32(flags, 'flags');
    if (length === 0) throw einval('mmap', 'length is 0');
    const f = mappingFlags(flags);
    const size = pageUp(length);
    // Linux's mmap() reports EAGAIN here (mm/mmap.c mlock_future_ok()); the model answers
    // ENOMEM, as mlock() does for the same budget.
    if (f.locked) this.#checkLockBudget('mmap', size);
    const addr = this.#nextAddr;
    if (addr + size > TASK_SIZE) throw enomem('mmap', `no room for ${size} bytes below TASK_SIZE`);
    let buffer: SharedArrayBuffer;
    try {
      buffer = newSharedArrayBuffer(size);
    } catch {
      throw enomem('mmap', `cannot allocate ${size} bytes`);
    }
    // One guard page between mappings: separate mmap() calls never touch, so they never merge.
    this.#nextAddr = addr + size + PAGE_SIZE;
    this.#vmas.push({
      addr,
      length: size,
      prot: prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
      flags: f,
      buffer,
      offset: 0,
      inode: f.shared ? ++lastInode : 0,
    });
    return { addr, length: size, bytes: new U8(buffer) };
  }

  /**
   * Unmaps every page in [addr, addr + length), splitting mappings it covers in part; the rest
   * of a split mapping keeps its SharedArrayBuffer. Unmapping pages that are not mapped is not
   * an error (as in Linux). Private pages read as zero afterwards through any old view: the
   * kernel frees them, and the model cannot revoke a Uint8Array, so it wipes them. Shared pages
   * are left as they are for the other processes mapping them. EINVAL for an unaligned addr or a
   * length of 0.
   * @example mm.munmap(addr + 4096, 4096) // punch a hole: two mappings remain
   */
  munmap(addr: number, length: number): void {
    validateSafeSize(addr, 'addr');
    validateSafeSize(length, 'length');
    if (addr % PAGE_SIZE !== 0) throw einval('munmap', `addr ${hex(addr)} is not page-aligned`);
    if (length === 0) throw einval('munmap', 'length is 0');
    const end = addr + pageUp(length);
    this.#vmas = splitAt(splitAt(this.#vmas, addr), end).filter((v) => {
      const inside = v.addr >= addr && vmaEnd(v) <= end;
      if (inside && !v.flags.shared) dropResident(v, v.addr, vmaEnd(v), Infinity);
      return !inside;
    });
  }

  /**
   * Gives advice about [addr, addr + length), like madvise(2). MADV_WIPEONFORK and
   * MADV_DONTDUMP set the flag (WIPEONFORK on shared memory is EINVAL); MADV_KEEPONFORK and
   * MADV_DODUMP clear it, but are EINVAL on droppable memory; MADV_PAGEOUT drops the droppable
   * pages in the range now and leaves ordinary ones alone (there is no swap). Only the range gets
   * the flag: a mapping covered in part is split. EINVAL for unknown advice or an unaligned addr,
   * ENOMEM if the range holds unmapped pages. Unlike Linux, which advises the mapped parts before
   * reporting an error, a failing call changes nothing.
   * @example mm.madvise(addr, 4096, MADV_DONTDUMP)
   */
  madvise(addr: number, length: number, advice: number): void {
    validateSafeSize(addr, 'addr');
    validateSafeSize(length, 'length');
    if (!KNOWN_ADVICE.has(advice)) {
      const known = 'MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK or MADV_PAGEOUT';
      throw einval('madvise', `advice ${String(advice)} is not one the model knows: ${known}`);
    }
    if (addr % PAGE_SIZE !== 0) throw einval('madvise', `addr ${hex(addr)} is not page-aligned`);
    const end = addr + pageUp(length);
    if (end === addr) return;
    this.#requireMapped('madvise', addr, end);
    // mm/madvise.c madvise_vma_behavior().
    switch (advice) {
      case MADV_WIPEONFORK:
        this.#refuse(addr, end, (v) => v.flags.shared, 'MADV_WIPEONFORK on a shared mapping: only private memory is wiped');
        this.#update(addr, end, (v) => withFlags(v, { wipeOnFork: true }));
        break;
      case MADV_KEEPONFORK:
        this.#refuse(addr, end, (v) => v.flags.droppable, 'MADV_KEEPONFORK on a droppable mapping: it is always wiped');
        this.#update(addr, end, (v) => withFlags(v, { wipeOnFork: false }));
        break;
      case MADV_DONTDUMP:
        this.#update(addr, end, (v) => withFlags(v, { dontDump: true }));
        break;
      case MADV_DODUMP:
        this.#refuse(addr, end, (v) => v.flags.droppable, 'MADV_DODUMP on a droppable mapping: it is never dumped');
        this.#update(addr, end, (v) => withFlags(v, { dontDump: false }));
        break;
      case MADV_PAGEOUT:
        for (const v of overlapping(this.#vmas, addr, end)) {
          if (!v.flags.droppable) continue;
          dropResident(v, Math.max(addr, v.addr), Math.min(end, vmaEnd(v)), Infinity);
        }
        break;
    }
  }

  /**
   * Locks the pages of [addr, addr + length) (addr rounded down to its page, as mlock(2) does),
   * counting them against lockLimit. Droppable pages are left unlocked and not counted ("mlock
   * leaves it unlocked and does not count it": mm/mlock.c mlock_fixup() skips VM_DROPPABLE).
   * ENOMEM if the range holds unmapped pages or the newly locked pages would pass the budget.
   * @example mm.mlock(addr, 4096); mm.locked // 4096
   */
  mlock(addr: number, length: number): void {
    validateSafeSize(addr, 'addr');
    validateSafeSize(length, 'length');
    const start = addr - (addr % PAGE_SIZE);
    const end = pageUp(addr + length);
    if (end === start) return;
    this.#requireMapped('mlock', start, end);
    let extra = 0;
    for (const v of overlapping(this.#vmas, start, end)) {
      if (!v.flags.droppable && !v.flags.locked) extra += Math.min(end, vmaEnd(v)) - Math.max(start, v.addr);
    }
    this.#checkLockBudget('mlock', extra);
    this.#update(start, end, (v) => (v.flags.droppable ? v : withFlags(v, { locked: true })));
  }

  /**
   * Unlocks the pages of [addr, addr + length) (addr rounded down to its page). ENOMEM if the
   * range holds unmapped pages.
   * @example mm.munlock(addr, 4096)
   */
  munlock(addr: number, length: number): void {
    validateSafeSize(addr, 'addr');
    validateSafeSize(length, 'length');
    const start = addr - (addr % PAGE_SIZE);
    const end = pageUp(addr + length);
    if (end === start) return;
    this.#requireMapped('munlock', start, end);
    this.#update(start, end, (v) => withFlags(v, { locked: false }));
  }

  /**
   * Memory pressure: drops resident droppable pages, dirty or not, so they read as zero, and
   * returns how many it dropped. A page is resident if it holds a nonzero byte. `pages` caps
   * the count (all when omitted); pages go in address order. Ordinary pages are never dropped:
   * anonymous memory without swap cannot be reclaimed.
   * @example mm.reclaim(1) // drops the lowest resident droppable page
   */
  reclaim(pages?: number): number {
    if (pages !== undefined) validateSafeSize(pages, 'pages');
    const max = pages ?? Infinity;
    let dropped = 0;
    for (const v of this.#vmas) {
      if (dropped >= max) break;
      if (v.flags.droppable) dropped += dropResident(v, v.addr, vmaEnd(v), max - dropped);
    }
    return dropped;
  }

  /**
   * A fork child's mm (kernel/fork.c dup_mmap()): the same addresses and flags; private pages
   * copied, except wipe-on-fork (so droppable) ones, which the child sees zero-filled; shared
   * mappings over the very same SharedArrayBuffer as the parent's. Locks are not inherited.
   * @example const child = mm.fork(); child.mappings()[0].bytes // a copy, or zeros
   */
  fork(): SimulatedMm {
    const child = new SimulatedMm({ lockLimit: this.#lockLimit });
    child.#nextAddr = this.#nextAddr;
    // Pieces of one private mapping share a buffer; their copies share one too, so they can
    // merge again in the child.
    const copies = new Map<SharedArrayBuffer, SharedArrayBuffer>();
    child.#vmas = this.#vmas.map((v) => {
      const flags = { ...v.flags, locked: false };
      if (v.flags.shared) return { ...v, flags };
      let buffer = copies.get(v.buffer);
      if (buffer === undefined) {
        buffer = newSharedArrayBuffer(byteLengthOf(v.buffer));
        copies.set(v.buffer, buffer);
      }
      if (!v.flags.wipeOnFork) {
        copyBytes(new U8(buffer, v.offset, v.length), new U8(v.buffer, v.offset, v.length));
      }
      return { ...v, buffer, flags };
    });
    return child;
  }

  /**
   * What a core dump would hold: every mapping except dont-dump ones (so never droppable
   * memory), in address order, with a copy of their bytes concatenated.
   * @example mm.coredump().segments.length
   */
  coredump(): CoreDump {
    const dumped = this.#vmas.filter((v) => !v.flags.dontDump);
    const bytes = new U8(dumped.reduce((sum, v) => sum + v.length, 0));
    let at = 0;
    for (const v of dumped) {
      copyBytes(bytes, new U8(v.buffer, v.offset, v.length), at);
      at += v.length;
    }
    return { segments: dumped.map(({ addr, length }) => ({ addr, length })), bytes };
  }

  /**
   * The text /proc/self/smaps would show for these mappings, one entry each, in address order.
   * @example mm.smaps().includes('VmFlags: rd wr mr mw me nr wf dd dp \n')
   */
  smaps(): string {
    return this.#vmas.map((v) => smapsEntry(v, residentPages(v))).join('');
  }

  /**
   * A view of the memory mapped at [addr, addr + length): how code that holds an address reads
   * it (in a fork() child, the child's copy). The range must lie in one mmap()'s memory (pieces
   * of it split by madvise() or mlock() are fine); else EFAULT, as a system call reports an
   * unmapped address.
   * @example child.bytes(addr, 4096) // the child's view of a page the parent mapped at addr
   */
  bytes(addr: number, length: number): Uint8Array {
    validateSafeSize(addr, 'addr');
    validateSafeSize(length, 'length');
    const v = containing(this.#vmas, addr, addr + length);
    if (v === undefined) {
      throw systemError('EFAULT', 'bytes', `${hex(addr)}-${hex(addr + length)} is not inside one mapping`);
    }
    // The constructor captured at load: these bytes hold states (src/base/intrinsics.ts).
    return new U8(v.buffer, v.offset + (addr - v.addr), length);
  }

  /**
   * The mappings in address order, with their protection, flags and a live view of their bytes.
   * @example mm.mappings().map((m) => m.flags.droppable)
   */
  mappings(): MappingInfo[] {
    return this.#vmas.map((v) => ({
      addr: v.addr,
      length: v.length,
      prot: v.prot,
      flags: { ...v.flags },
      bytes: new U8(v.buffer, v.offset, v.length),
    }));
  }

  /**
   * A structured-cloneable snapshot of the mappings and their SharedArrayBuffers, for
   * SimulatedMm.attach() in another thread.
   * @example new Worker(url, { workerData: mm.share() })
   */
  share(): SimulatedMmHandle {
    const mappings = this.#vmas.map((v) => ({ ...v }));
    return { lockLimit: this.#lockLimit, nextAddr: this.#nextAddr, mappings };
  }

  #checkLockBudget(syscall: string, extra: number): void {
    if (this.locked + extra > this.#lockLimit) {
      const limit = this.#lockLimit;
      throw enomem(syscall, `locking ${extra} more bytes would pass the lock limit of ${limit} bytes (RLIMIT_MEMLOCK)`);
    }
  }

  /** ENOMEM unless every page of [start, end) is mapped. */
  #requireMapped(syscall: string, start: number, end: number): void {
    const hole = firstUnmapped(this.#vmas, start, end);
    if (hole < end) throw enomem(syscall, `the range ${hex(start)}-${hex(end)} includes unmapped pages from ${hex(hole)}`);
  }

  /** EINVAL if a mapping overlapping [start, end) breaks a rule; checked before any change. */
  #refuse(start: number, end: number, breaks: (v: Vma) => boolean, detail: string): void {
    if (overlapping(this.#vmas, start, end).some(breaks)) throw einval('madvise', detail);
  }

  /** Applies `change` to the pages of [start, end) only. */
  #update(start: number, end: number, change: (v: Vma) => Vma): void {
    this.#vmas = updateRange(this.#vmas, start, end, change);
  }
}
