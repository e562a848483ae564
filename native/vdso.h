// Finding the kernel's vDSO getrandom() and asking it how to hold states.
//
// The vDSO is a small ELF shared object the kernel maps into every process; its address is in
// the auxiliary vector (AT_SYSINFO_EHDR). Since Linux 6.11 (x86_64) it exports
// __vdso_getrandom(), the same userspace ChaCha20 generator this library implements in JS.
#ifndef VGETRANDOM_VDSO_H
#define VGETRANDOM_VDSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What getrandom(NULL, 0, 0, &params, ~0UL) fills in (include/uapi/linux/random.h,
 * struct vgetrandom_opaque_params): the size of one opaque state and the mmap() prot and
 * flags of the memory that must hold states. 64 bytes; reserved words are zero today and
 * left for the kernel to grow into, which is why the whole struct is passed and not 12 bytes.
 */
struct vgr_opaque_params {
  uint32_t size_of_opaque_state;
  uint32_t mmap_prot;
  uint32_t mmap_flags;
  uint32_t reserved[13];
};

/*
 * ssize_t __vdso_getrandom(void *buffer, size_t len, unsigned int flags,
 *                          void *opaque_state, size_t opaque_len);
 *
 * Returns the byte count, or a *negative errno* (the vDSO has no errno to set): it falls back
 * to the raw syscall itself and hands back what the syscall returned.
 */
typedef ssize_t (*vgr_vdso_getrandom_fn)(void *buffer, size_t len, unsigned int flags,
                                         void *opaque_state, size_t opaque_len);

/*
 * Looks `name` up in the vDSO's dynamic symbol table. Returns its address, or NULL when the
 * process has no vDSO, the vDSO is malformed, or it does not define `name` as a function.
 * Symbol versions are not checked: the kernel exports each name once.
 */
void *vgr_vdso_lookup(const char *name);

#endif
