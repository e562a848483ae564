// /proc/self/smaps text for the simulated mm, field for field as fs/proc/task_mmu.c prints it
// (show_smap(), __show_smap(), show_smap_vma_flags()), checked against Linux 6.18.

import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from './constants.js';
import { isAccounted, type Vma, vmaEnd } from './vma.js';

/**
 * The VmFlags mnemonics the model can show, in the kernel's bit order (include/linux/mm.h):
 * show_smap_vma_flags() prints set bits from bit 0 up, so this order is the text's order.
 */
const VM_FLAG_MNEMONICS: readonly (readonly [string, (vma: Vma) => boolean])[] = [
  ['rd', (v) => (v.prot & PROT_READ) !== 0], // VM_READ        bit 0
  ['wr', (v) => (v.prot & PROT_WRITE) !== 0], // VM_WRITE       bit 1
  ['ex', (v) => (v.prot & PROT_EXEC) !== 0], // VM_EXEC        bit 2
  ['sh', (v) => v.flags.shared], // VM_SHARED      bit 3
  // do_mmap() gives every anonymous mapping VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC.
  ['mr', () => true], // VM_MAYREAD     bit 4
  ['mw', () => true], // VM_MAYWRITE    bit 5
  ['me', () => true], // VM_MAYEXEC     bit 6
  ['ms', (v) => v.flags.shared], // VM_MAYSHARE    bit 7
  ['gd', (v) => v.flags.growsDown], // VM_GROWSDOWN   bit 8
  ['lo', (v) => v.flags.locked], // VM_LOCKED      bit 13
  ['ac', isAccounted], // VM_ACCOUNT     bit 20
  ['nr', (v) => v.flags.noReserve], // VM_NORESERVE   bit 21
  ['wf', (v) => v.flags.wipeOnFork], // VM_WIPEONFORK  bit 25
  ['dd', (v) => v.flags.dontDump], // VM_DONTDUMP    bit 26
  ['dp', (v) => v.flags.droppable], // VM_DROPPABLE   bit 38 (VM_HIGH_ARCH_6)
];

/** show_map_vma() pads the header to this column before a name (25 + 6 * sizeof(void *) - 1). */
const NAME_COLUMN = 72;

/** `%08lx`. */
const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** SEQ_PUT_DEC: a label, the size in kB right-aligned in 8 columns, " kB". */
const kB = (label: string, bytes: number, width = 8) => `${label}${String(bytes / 1024).padStart(width)} kB\n`;

/**
 * The VmFlags line of a mapping, with the kernel's trailing space.
 * @example vmFlagsLine(droppableVma) // 'VmFlags: rd wr mr mw me nr wf dd dp \n'
 */
function vmFlagsLine(vma: Vma): string {
  let line = 'VmFlags: ';
  for (const [name, isSet] of VM_FLAG_MNEMONICS) if (isSet(vma)) line += `${name} `;
  return `${line}\n`;
}

/**
 * The header line: range, permissions, offset, device, inode (and, for shared anonymous
 * memory, the name of its shmem object). Anonymous private memory has no file: device 00:00,
 * inode 0, and the line ends in the space that precedes a name.
 * @example headerLine(vma) // '7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n'
 */
function headerLine(vma: Vma): string {
  const { prot, flags } = vma;
  const perms =
    ((prot & PROT_READ) !== 0 ? 'r' : '-') +
    ((prot & PROT_WRITE) !== 0 ? 'w' : '-') +
    ((prot & PROT_EXEC) !== 0 ? 'x' : '-') +
    (flags.shared ? 's' : 'p');
  // Anonymous memory shows page offset 0 (show_map_vma() prints vm_pgoff only for files). A
  // MAP_SHARED|MAP_ANONYMOUS mapping is backed by a shmem file named "/dev/zero" on the internal
  // shm mount (device 00:01), unlinked at once.
  const prefix = `${hex8(vma.addr)}-${hex8(vmaEnd(vma))} ${perms} 00000000 ${flags.shared ? '00:01' : '00:00'} ${vma.inode} `;
  return flags.shared ? `${prefix.padEnd(NAME_COLUMN)} /dev/zero (deleted)\n` : `${prefix}\n`;
}

/**
 * One smaps entry; `residentPages` is how many of the mapping's pages are resident. The model
 * does not track which other processes map the same pages, and has no swap: every resident page
 * counts as private, dirty (it holds a byte written to it) and referenced, Pss equals Rss, and
 * Swap is 0. Shared anonymous memory is shmem, so it is not counted as Anonymous.
 * @example smapsEntry(vma, 1) // '7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \nSize: ...'
 */
export function smapsEntry(vma: Vma, residentPages: number): string {
  const rss = residentPages * PAGE_SIZE;
  return (
    headerLine(vma) +
    kB('Size:           ', vma.length) +
    kB('KernelPageSize: ', PAGE_SIZE) +
    kB('MMUPageSize:    ', PAGE_SIZE) +
    kB('Rss:            ', rss) +
    kB('Pss:            ', rss) +
    kB('Pss_Dirty:      ', rss) +
    kB('Shared_Clean:   ', 0) +
    kB('Shared_Dirty:   ', 0) +
    kB('Private_Clean:  ', 0) +
    kB('Private_Dirty:  ', rss) +
    kB('Referenced:     ', rss) +
    kB('Anonymous:      ', vma.flags.shared ? 0 : rss) +
    kB('KSM:            ', 0) +
    kB('LazyFree:       ', 0) +
    kB('AnonHugePages:  ', 0) +
    kB('ShmemPmdMapped: ', 0) +
    kB('FilePmdMapped:  ', 0) +
    kB('Shared_Hugetlb: ', 0) +
    kB('Private_Hugetlb: ', 0, 7) +
    kB('Swap:           ', 0) +
    kB('SwapPss:        ', 0) +
    kB('Locked:         ', vma.flags.locked ? rss : 0) +
    // Base pages only: no mapping is eligible for transparent huge pages.
    `THPeligible:    ${'0'.padStart(8)}\n` +
    vmFlagsLine(vma)
  );
}
