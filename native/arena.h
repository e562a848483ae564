// The process-wide arena of vgetrandom states: droppable pages, carved into state slices,
// shared by every thread (the main thread and every worker_thread's Node-API env) under one
// mutex, the way glibc's and Go's vgetrandom allocators hand one state to each thread.
#ifndef VGETRANDOM_ARENA_H
#define VGETRANDOM_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "vdso.h"

/* Not in glibc's headers yet: the map *type* of MAP_DROPPABLE memory (Linux 6.11). */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* What the process learnt once, at first use (vgr_setup): never changes afterwards. */
struct vgr_setup {
  size_t page_size;
  /* The kernel's vDSO getrandom(), or NULL: then `params` holds the defaults below. */
  vgr_vdso_getrandom_fn vdso_getrandom;
  /* From the vDSO's params probe, or {144, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS}. */
  struct vgr_opaque_params params;
  /* Distance between slices: the state size rounded up to 8, the state's alignment (u64). */
  size_t stride;
  /* Slices per page: a slice never straddles a page, so floor(page_size / stride); 28 for 4 KiB. */
  size_t per_page;
};

/* Finds the vDSO, probes the params and the page size, once per process. Never fails. */
const struct vgr_setup *vgr_setup(void);

/*
 * Hands out a zeroed slice of `stride` bytes that nobody else holds, recording `owner` (an
 * opaque identity, never dereferenced) and a fresh ticket, unique for the life of the process,
 * in *ticket. Maps a page when no page has a free slice. Returns NULL with errno set if the
 * page cannot be mapped.
 */
void *vgr_arena_alloc(const void *owner, uint64_t *ticket);

/* Results of vgr_arena_held / vgr_arena_release. */
enum { VGR_OK = 0, VGR_NOT_A_SLICE = -1, VGR_NOT_HELD = -2 };

/* VGR_OK if `state` is the start of a slice held by `owner`, else why not. */
int vgr_arena_held(const void *state, const void *owner);

/*
 * Zeroes the slice at `state` and puts it back, if `owner` holds it and (ticket != 0) it is
 * still the allocation that got `ticket`: a late finalizer of an old allocation must not free
 * a slice that has since been handed to someone else. Unmaps the page if it became empty and
 * another empty page is already kept for reuse.
 */
int vgr_arena_release(void *state, const void *owner, uint64_t ticket);

/* Zeroes and puts back every slice `owner` holds (its env is going away); returns how many. */
size_t vgr_arena_release_owner(const void *owner);

/* How many slices `owner` holds. */
size_t vgr_arena_held_count(const void *owner);

struct vgr_arena_stats {
  size_t pages, in_use, free;
};
void vgr_arena_stats(struct vgr_arena_stats *out);

/*
 * The address of the arena's first page, mapping one if the arena has none (so that there is
 * a page to inspect), or 0 with errno set.
 */
uintptr_t vgr_arena_first_page(void);

/* 1 if arena pages are MAP_DROPPABLE, 0 if the kernel refused it (fallback), -1 before any map. */
int vgr_arena_droppable(void);

/*
 * madvise(MADV_PAGEOUT) on the arena page (or ID pool page) at `page`: a droppable page is dropped at once and
 * reads back as zero. 0, VGR_NOT_A_SLICE if `page` is not an arena page, or -errno.
 */
int vgr_arena_pageout(uintptr_t page);

/* Drops every arena page; returns how many madvise() calls succeeded. */
size_t vgr_arena_pageout_all(void);

/*
 * A pthread that drops every arena page, then sleeps `interval_us` microseconds (0: yields),
 * until stopped: memory pressure at its worst, concurrent with the generators. One per
 * process. Returns 0, or -EBUSY if one is running, or -errno if the thread cannot start.
 */
int vgr_dropper_start(unsigned interval_us, const void *owner);

/*
 * Stops the dropper if it runs and `owner` is NULL or the one that started it; returns the
 * number of page drops it did, or -1 if none was stopped.
 */
int64_t vgr_dropper_stop(const void *owner);

/*
 * fork(2), for native/fork.c's pthread_atfork handlers (see there for the order they run in).
 * prepare takes the module's lock, parent releases it; child re-initialises it and repairs what
 * the threads the child lacks left behind: the arena frees (zeroed) every slice whose owner is
 * not `keep`, the forking thread's owner (NULL: free them all); the dropper forgets its thread.
 */
void vgr_arena_atfork_prepare(void);
void vgr_arena_atfork_parent(void);
void vgr_arena_atfork_child(const void *keep);
void vgr_dropper_atfork_prepare(void);
void vgr_dropper_atfork_parent(void);
void vgr_dropper_atfork_child(void);

/*
 * The offset of the u64 generation in a state (lib/vdso/getrandom.c's struct vgetrandom_state:
 * after the 128 bytes of batch and key): the one field of the layout the addon itself touches.
 */
#define VGR_STATE_GENERATION_OFFSET 128

/*
 * Zeroes the generation of every slice in use (an atomic store each), as a drop of their pages
 * would: each state rekeys before its next output, and a draw under way fails its final check.
 * Every ID pool's generation too, so each pool is discarded at its next use.
 * For native/generation.c, when its low word wraps. Returns how many slices it expired.
 */
size_t vgr_arena_expire_all(void);

/*
 * One page mapped like the arena's (droppable, or the fallback's private, wipe-on-fork and
 * never dumped), outside the arena, for a state of the addon's own (native/kernelgen.c's probes);
 * munmap() gives it back. NULL with errno set if it cannot be mapped.
 */
void *vgr_map_state_page(void);

/*
 * The ID pool page of `owner` (an env): mapped like the arena's pages and kept with them, so
 * that pageout, pageoutAll, the dropper and vgr_arena_expire_all (which zeroes the u64 at the
 * page's start, the pool's generation) reach it, and a fork child unmaps every other owner's.
 * One per owner: a second call returns the same page. NULL with errno set if it cannot be mapped.
 */
void *vgr_arena_map_pool(const void *owner);

/* Wipes and unmaps the pool page of `owner`, if it has one (its env is going away). */
void vgr_arena_unmap_pool(const void *owner);

/* Zeroes n bytes in a way the compiler may not elide. */
void vgr_wipe(void *p, size_t n);

#endif
