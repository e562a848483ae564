// What an mmap() of anonymous memory makes of its `flags`: the mapping's vm_flags, or EINVAL
// for a combination Linux refuses (mm/mmap.c do_mmap(), as the VM_DROPPABLE thread left it).

import { systemError } from '../base/errors.js';
import {
  MAP_ANONYMOUS,
  MAP_DROPPABLE,
  MAP_GROWSDOWN,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NORESERVE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
} from './constants.js';
import type { MappingFlags } from './types.js';

const einval = (detail: string) => systemError('EINVAL', 'mmap', detail);

/**
 * The flags of a new mapping made with mmap() `flags`. Throws EINVAL without MAP_ANONYMOUS (only
 * anonymous memory is modelled), for a map type that is not one of the four, for MAP_DROPPABLE
 * with MAP_LOCKED, MAP_HUGETLB or MAP_GROWSDOWN, for a shared stack, and for MAP_HUGETLB (huge
 * pages are not modelled). Other flags (MAP_POPULATE, MAP_STACK, ...) are ignored, as Linux
 * ignores them for MAP_PRIVATE.
 * @example mappingFlags(MAP_DROPPABLE | MAP_ANONYMOUS).wipeOnFork // true
 */
export function mappingFlags(flags: number): MappingFlags {
  if ((flags & MAP_ANONYMOUS) === 0) throw einval('flags lack MAP_ANONYMOUS: only anonymous memory is modelled');
  const f = {
    shared: false,
    droppable: false,
    wipeOnFork: false,
    dontDump: false,
    noReserve: (flags & MAP_NORESERVE) !== 0,
    locked: (flags & MAP_LOCKED) !== 0,
    growsDown: (flags & MAP_GROWSDOWN) !== 0,
  };
  const type = flags & MAP_TYPE;
  switch (type) {
    case MAP_SHARED:
    case MAP_SHARED_VALIDATE:
      // Shared anonymous memory cannot be a stack.
      if (f.growsDown) throw einval('MAP_GROWSDOWN with a shared mapping');
      f.shared = true;
      break;
    case MAP_DROPPABLE:
      // "A locked or stack area makes no sense to be droppable. [...] And don't attempt to
      // combine with hugetlb for now."
      if (f.locked) throw einval('MAP_DROPPABLE with MAP_LOCKED: locked memory cannot be dropped');
      if (flags & MAP_HUGETLB) throw einval('MAP_DROPPABLE with MAP_HUGETLB: huge pages cannot be droppable');
      if (f.growsDown) throw einval('MAP_DROPPABLE with MAP_GROWSDOWN: a stack cannot be droppable');
      // "If the pages can be dropped, then it doesn't make sense to reserve them. Likewise,
      // they're volatile enough that they shouldn't survive forks or coredumps."
      f.droppable = f.noReserve = f.wipeOnFork = f.dontDump = true;
      break;
    case MAP_PRIVATE:
      break;
    default:
      throw einval(
        `map type 0x${type.toString(16)} (flags & MAP_TYPE) is not MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE or MAP_DROPPABLE`,
      );
  }
  if (flags & MAP_HUGETLB) throw einval('MAP_HUGETLB: huge pages are not modelled');
  return f;
}
