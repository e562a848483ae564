// The arena: where generator states live. Pages mapped with the prot/flags the kernel's
// vgetrandom params probe returns (MAP_DROPPABLE memory), which the kernel may zero at any
// time. Two backends implement it: the simulated mm (any OS) and the native addon (Linux).

/**
 * What `getrandom(NULL, 0, 0, &params, ~0UL)` fills in: how big a state is and how to map
 * the memory that holds states.
 */
export interface VgetrandomParams {
  /** sizeof(struct vgetrandom_state): 144. */
  readonly sizeOfOpaqueState: number;
  /** PROT_READ | PROT_WRITE. */
  readonly mmapProt: number;
  /** MAP_DROPPABLE | MAP_ANONYMOUS. */
  readonly mmapFlags: number;
}

/** One mapped arena page. */
export interface ArenaPage {
  /** The page's address in the (real or simulated) address space. */
  readonly addr: number;
  /** The page's bytes: exactly `pageSize` of them, 8-byte aligned. */
  readonly bytes: Uint8Array;
}

/** A source of droppable pages for states. */
export interface Arena {
  readonly pageSize: number;
  readonly params: VgetrandomParams;
  /** Maps one new page with `params.mmapProt` and `params.mmapFlags`. */
  mapPage(): ArenaPage;
}
