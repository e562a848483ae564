// A minimal vDSO symbol lookup, after the kernel's tools/testing/selftests/vDSO/parse_vdso.c:
// find PT_LOAD (for the load bias) and PT_DYNAMIC, read DT_STRTAB / DT_SYMTAB and a hash
// table (DT_GNU_HASH preferred, DT_HASH otherwise), and look the name up through it.
//
// Everything here reads memory the kernel mapped read-only before the process started, so it
// needs no locking; the caller runs it once (pthread_once).

#include "vdso.h"

#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

// The classic SysV ELF hash (DT_HASH).
static uint32_t elf_hash(const char *name) {
  uint32_t h = 0, g;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    h = (h << 4) + *p;
    g = h & 0xf0000000u;
    if (g) h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

// The GNU hash (DT_GNU_HASH): djb2.
static uint32_t gnu_hash(const char *name) {
  uint32_t h = 5381;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = h * 33 + *p;
  return h;
}

// A defined, global (or weak) function: what an exported vDSO entry point looks like.
static int is_exported_function(const ElfW(Sym) *sym) {
  // st_info packs bind and type the same way in ELF32 and ELF64.
  unsigned type = ELF64_ST_TYPE(sym->st_info);
  unsigned bind = ELF64_ST_BIND(sym->st_info);
  return type == STT_FUNC && (bind == STB_GLOBAL || bind == STB_WEAK) && sym->st_shndx != SHN_UNDEF;
}

void *vgr_vdso_lookup(const char *name) {
  uintptr_t base = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
  if (base == 0) return NULL;  // no vDSO (vdso=0 on the kernel command line, or not Linux)

  const ElfW(Ehdr) *ehdr = (const ElfW(Ehdr) *)base;
  if (memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0) return NULL;
#if __SIZEOF_POINTER__ == 8
  if (ehdr->e_ident[EI_CLASS] != ELFCLASS64) return NULL;
#else
  if (ehdr->e_ident[EI_CLASS] != ELFCLASS32) return NULL;
#endif

  // The vDSO is mapped as one image: the load bias is the distance between where the first
  // PT_LOAD's file offset landed and the virtual address it was linked at.
  const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)(base + ehdr->e_phoff);
  uintptr_t load_offset = 0;
  int have_load = 0;
  const ElfW(Dyn) *dyn = NULL;
  for (unsigned i = 0; i < ehdr->e_phnum; i++) {
    if (phdr[i].p_type == PT_LOAD && !have_load) {
      have_load = 1;
      load_offset = base + (uintptr_t)phdr[i].p_offset - (uintptr_t)phdr[i].p_vaddr;
    } else if (phdr[i].p_type == PT_DYNAMIC) {
      dyn = (const ElfW(Dyn) *)(base + phdr[i].p_offset);
    }
  }
  if (!have_load || dyn == NULL) return NULL;

  const char *strtab = NULL;
  const ElfW(Sym) *symtab = NULL;
  const uint32_t *hash = NULL;      // DT_HASH: nbucket, nchain, bucket[nbucket], chain[nchain]
  const uint32_t *gnuhash = NULL;   // DT_GNU_HASH: see below
  for (; dyn->d_tag != DT_NULL; dyn++) {
    uintptr_t ptr = (uintptr_t)dyn->d_un.d_ptr + load_offset;
    switch (dyn->d_tag) {
      case DT_STRTAB: strtab = (const char *)ptr; break;
      case DT_SYMTAB: symtab = (const ElfW(Sym) *)ptr; break;
      case DT_HASH: hash = (const uint32_t *)ptr; break;
      case DT_GNU_HASH: gnuhash = (const uint32_t *)ptr; break;
      default: break;
    }
  }
  if (strtab == NULL || symtab == NULL || (hash == NULL && gnuhash == NULL)) return NULL;

  if (gnuhash != NULL) {
    // nbuckets, symoffset, bloom_size, bloom_shift, bloom[bloom_size] (word-sized),
    // buckets[nbuckets], chain[]: chain[i - symoffset] is symbol i's hash with bit 0 marking
    // the last symbol of its bucket. The bloom filter is only a shortcut and is skipped.
    uint32_t nbuckets = gnuhash[0], symoffset = gnuhash[1], bloom_size = gnuhash[2];
    if (nbuckets == 0) return NULL;
    const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(gnuhash + 4) + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    uint32_t h = gnu_hash(name);
    uint32_t i = buckets[h % nbuckets];
    if (i == 0 || i < symoffset) return NULL;
    for (;; i++) {
      uint32_t h2 = chain[i - symoffset];
      const ElfW(Sym) *sym = &symtab[i];
      if ((h | 1) == (h2 | 1) && is_exported_function(sym) && strcmp(name, strtab + sym->st_name) == 0) {
        return (void *)(sym->st_value + load_offset);
      }
      if (h2 & 1) return NULL;
    }
  }

  uint32_t nbucket = hash[0], nchain = hash[1];
  if (nbucket == 0) return NULL;
  const uint32_t *bucket = hash + 2, *chain = bucket + nbucket;
  for (uint32_t i = bucket[elf_hash(name) % nbucket]; i != STN_UNDEF && i < nchain; i = chain[i]) {
    const ElfW(Sym) *sym = &symtab[i];
    if (is_exported_function(sym) && strcmp(name, strtab + sym->st_name) == 0) {
      return (void *)(sym->st_value + load_offset);
    }
  }
  return NULL;
}
