// The public shapes of the simulated mm: mappings as callers see them, the flag record, the core
// dump, and the structured-cloneable handle that carries an mm's memory to another thread.

/**
 * A mapping's kernel `vm_flags` that the model keeps, as booleans.
 * @example mm.mappings()[0].flags.droppable // true for MAP_DROPPABLE memory
 */
export interface MappingFlags {
  /** VM_SHARED | VM_MAYSHARE (MAP_SHARED): a fork child maps the same pages. */
  readonly shared: boolean;
  /** VM_DROPPABLE (MAP_DROPPABLE): pages may be zeroed under memory pressure, dirty or not. */
  readonly droppable: boolean;
  /** VM_WIPEONFORK: a fork child sees the pages zero-filled. */
  readonly wipeOnFork: boolean;
  /** VM_DONTDUMP: left out of core dumps. */
  readonly dontDump: boolean;
  /** VM_NORESERVE: not charged against the commit limit. */
  readonly noReserve: boolean;
  /** VM_LOCKED: counted against the lock budget; never reclaimed. */
  readonly locked: boolean;
  /** VM_GROWSDOWN (MAP_GROWSDOWN): recorded only; the model never grows a mapping. */
  readonly growsDown: boolean;
}

/**
 * What mmap() returns: the address, the length in bytes (whole pages) and the mapping's memory.
 * `bytes` stays a view of the same SharedArrayBuffer for good; after munmap() of part of a
 * private mapping, the unmapped pages read as zero through it and belong to no mapping.
 * @example const { addr, bytes } = mm.mmap(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS)
 */
export interface Mapping {
  readonly addr: number;
  readonly length: number;
  readonly bytes: Uint8Array;
}

/**
 * One mapping as mappings() describes it: a Mapping plus its protection and flags. `bytes` is a
 * live view of the mapping's pages.
 * @example mm.mappings().filter((m) => m.flags.dontDump)
 */
export interface MappingInfo extends Mapping {
  /** PROT_READ | PROT_WRITE | PROT_EXEC bits given to mmap(). */
  readonly prot: number;
  readonly flags: MappingFlags;
}

/**
 * What coredump() returns: the dumped mappings in address order and their bytes, concatenated.
 * @example const { segments, bytes } = mm.coredump()
 */
export interface CoreDump {
  readonly segments: readonly { readonly addr: number; readonly length: number }[];
  readonly bytes: Uint8Array;
}

/**
 * One mapping inside a SimulatedMmHandle: where it is, what it is, and the memory behind it.
 * Pieces of a mapping split by munmap() or madvise() share one `buffer` at different `offset`s.
 * @example handle.mappings.map((m) => m.addr.toString(16))
 */
export interface MappingRecord {
  readonly addr: number;
  readonly length: number;
  readonly prot: number;
  readonly flags: MappingFlags;
  /** The memory: the mapping is bytes [offset, offset + length) of it. */
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  /** MAP_SHARED only: the inode smaps shows for the shared memory object; 0 for private memory. */
  readonly inode: number;
}

/**
 * What share() returns and attach() takes: the mappings of an mm at the moment of share(),
 * plain data and SharedArrayBuffers, so it can be posted to a worker (postMessage, workerData).
 * @example new Worker(url, { workerData: mm.share() })
 */
export interface SimulatedMmHandle {
  /** The lock budget in bytes (RLIMIT_MEMLOCK). */
  readonly lockLimit: number;
  /** Where the next mmap() of the attached mm places its mapping. */
  readonly nextAddr: number;
  /** The mappings, in address order. */
  readonly mappings: readonly MappingRecord[];
}

/**
 * Options of `new SimulatedMm()`.
 * @example new SimulatedMm({ lockLimit: 64 * 1024 })
 */
export interface SimulatedMmOptions {
  /** RLIMIT_MEMLOCK in bytes: how much mlock() and MAP_LOCKED may lock. Default 8 MiB. */
  readonly lockLimit?: number;
}
