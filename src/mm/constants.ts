// The Linux x86-64 values of the mmap(2)/madvise(2) constants the simulated mm understands
// (include/uapi/asm-generic/mman-common.h, include/uapi/linux/mman.h). The native addon passes
// the same numbers to the real system calls, so code written against one backend runs on both.

/** Pages may be read. @example mm.mmap(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) */
export const PROT_READ = 0x1;
/** Pages may be written. */
export const PROT_WRITE = 0x2;
/** Pages may be executed (the model only records it: `x` in the smaps permissions). */
export const PROT_EXEC = 0x4;
/** Pages may not be accessed. */
export const PROT_NONE = 0x0;

/** Map type: changes are shared with every process mapping the same memory (and fork children). */
export const MAP_SHARED = 0x01;
/** Map type: changes are private; a fork child gets a copy. */
export const MAP_PRIVATE = 0x02;
/** Map type: MAP_SHARED that also validates the other flags. */
export const MAP_SHARED_VALIDATE = 0x03;
/**
 * Map type (Linux 6.11): private anonymous memory the kernel may zero under memory pressure.
 * Implies no-reserve, wipe-on-fork and dont-dump.
 * @example mm.mmap(4096, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS)
 */
export const MAP_DROPPABLE = 0x08;
/** Mask of the map type in `flags`: `flags & MAP_TYPE` is one of the four types above. */
export const MAP_TYPE = 0x0f;
/** Memory not backed by a file, zero-filled. The simulated mm models only this kind. */
export const MAP_ANONYMOUS = 0x20;
/** A stack-like mapping that grows down. */
export const MAP_GROWSDOWN = 0x0100;
/** Lock the pages, as mlock(2) would. */
export const MAP_LOCKED = 0x2000;
/** Do not count the mapping against the commit limit (no VM_ACCOUNT). */
export const MAP_NORESERVE = 0x4000;
/** Back the mapping with huge pages. */
export const MAP_HUGETLB = 0x40000;

/** madvise: leave the range out of core dumps. @example mm.madvise(addr, 4096, MADV_DONTDUMP) */
export const MADV_DONTDUMP = 16;
/** madvise: undo MADV_DONTDUMP. */
export const MADV_DODUMP = 17;
/** madvise: a fork child sees the range zero-filled. */
export const MADV_WIPEONFORK = 18;
/** madvise: undo MADV_WIPEONFORK. */
export const MADV_KEEPONFORK = 19;
/** madvise: reclaim the range now (droppable pages are dropped and read back as zero). */
export const MADV_PAGEOUT = 21;

/** Bytes per page (x86-64 base pages). */
export const PAGE_SIZE = 4096;
