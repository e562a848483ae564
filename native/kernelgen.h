// The kernel's CRNG generation (`vdso_rng_data.generation`), which the kernel moves on every CRNG
// reseed, RNDRESEEDCRNG, VM fork or snapshot restore (vmgenid) and resume. The vDSO's own states
// rekey when it moves; so must ours. Where the kernel's rng data can be found and validated, JS
// reads its low word where it lives, as the vDSO does ("mapped"); elsewhere the ticker thread
// polls it through a probe state ("polled"); without a vDSO getrandom it is unknown ("none").
#ifndef VGETRANDOM_KERNELGEN_H
#define VGETRANDOM_KERNELGEN_H

#include <stdbool.h>
#include <stdint.h>

enum vgr_kernel_mode { VGR_KERNEL_NONE = 0, VGR_KERNEL_POLLED = 1, VGR_KERNEL_MAPPED = 2 };

/* How often the ticker polls the kernel's generation in polled mode. */
#define VGR_KERNEL_POLL_NS (20LL * 1000000LL)

/*
 * Finds and validates the kernel's rng data, once per process (later calls return at once).
 * VGETRANDOM_KERNEL_GENERATION=poll in the environment skips the search: polled mode.
 */
void vgr_kernel_setup(void);

/* The mode now: mapped, polled or none. Mapped can become polled (a failed re-check), never back. */
enum vgr_kernel_mode vgr_kernel_mode(void);

/*
 * Mapped mode: the least significant 32-bit word of the kernel's generation, in the kernel's
 * read-only page. NULL in every other mode. It stays readable for the life of the process, and
 * stays the address handed out even after a failed re-check (polling then covers what it says).
 */
const uint32_t *vgr_kernel_word(void);

/*
 * The ticker's work, on the ticker thread only (the probe state is its own). Polled mode: true
 * if the kernel's generation moved since the last call. Mapped mode, on every tick: re-checks the
 * mapped word against a fresh probe and switches to polled when they disagree (returning true:
 * what the word said can no longer be trusted, so every state must rekey).
 */
bool vgr_kernel_poll(void);
bool vgr_kernel_recheck(void);

/* The kernel's generation now, through a probe state of the caller's thread; 0 if unknown. */
uint64_t vgr_kernel_generation_now(void);

/* ioctl(RNDRESEEDCRNG) on /dev/urandom (root only): 0, or a negative errno. For tests and the demo. */
int vgr_kernel_reseed(void);

#endif
