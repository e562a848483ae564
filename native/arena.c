// The process-wide state arena. See arena.h for the contract of each function.
//
// Invariants (all under `arena.lock`):
//   - every page in `arena.pages` is mapped, page-aligned, `setup.page_size` long, and holds
//     `setup.per_page` slices at offsets k * stride; no slice straddles the page's end, because
//     a page is dropped (zeroed) as a whole and the generation check inside a state only proves
//     that the page holding *that* generation was not dropped;
//   - a slot is free iff its ticket is 0, and a free slice is all zero (fresh pages are zero,
//     released slices are wiped before their slot is marked free);
//   - a free slice has no usable JS ArrayBuffer over it (the binding detaches or has lost the
//     buffer before it releases), so a page whose slots are all free can be unmapped;
//   - at most one page with no slice in use is kept mapped, so a thread that comes and goes
//     does not map and unmap a page each time, and a burst of threads does not pin its pages;
//   - in a fork child, only the forking thread's owner holds slices: the other threads did not
//     come along, so their slices are freed at once (vgr_arena_atfork_child).

#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // sched_getaffinity, CPU_SET (drop_page)
#endif

#include "arena.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct slot {
  uint64_t ticket;    // 0: free; otherwise the allocation's unique ticket
  const void *owner;  // the env holding it (identity only)
};

struct page {
  unsigned char *addr;
  size_t used;         // slots with a nonzero ticket
  struct slot *slots;  // per_page of them
};

static struct {
  pthread_mutex_t lock;
  struct page *pages;
  size_t npages, cap;
  size_t in_use;
  uint64_t last_ticket;
  int map_flags;  // the params' flags, or the fallback's once the kernel refused them
  int droppable;  // -1 until the first page is mapped
} arena = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0, 0, -1};

// ID pool pages (design.md §4, "IDs may draw from a droppable pool"): one page per env at most,
// mapped like the arena's pages and kept beside them, under the arena's lock, so that every
// drop, expiry and fork that reaches a state reaches a pool too. A pool keeps its generation,
// as a state does, in a u64: at offset 0 of its page (src/core/id-pool.ts).
#define POOL_GENERATION_OFFSET 0
#define MAX_POOLS 1024
static struct {
  unsigned char *addr;
  const void *owner;
} pools[MAX_POOLS];
static size_t npools;

static struct vgr_setup setup;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void do_setup(void) {
  long ps = sysconf(_SC_PAGESIZE);
  setup.page_size = ps > 0 ? (size_t)ps : 4096;

  // Defaults for a kernel without vDSO getrandom: the kernel's own answer on 6.11+ x86_64.
  setup.params.size_of_opaque_state = 144;
  setup.params.mmap_prot = PROT_READ | PROT_WRITE;
  setup.params.mmap_flags = MAP_DROPPABLE | MAP_ANONYMOUS;

  vgr_vdso_getrandom_fn fn = (vgr_vdso_getrandom_fn)vgr_vdso_lookup("__vdso_getrandom");
  if (fn != NULL) {
    // The params probe: NULL buffer, zero length and flags, opaque_len ~0UL. Anything but 0
    // (or an answer we cannot use) means this vDSO's getrandom is not one we can drive.
    struct vgr_opaque_params p;
    memset(&p, 0, sizeof p);
    if (fn(NULL, 0, 0, &p, ~0UL) == 0 && p.size_of_opaque_state != 0 &&
        p.size_of_opaque_state <= setup.page_size / 2) {
      setup.params = p;
      setup.vdso_getrandom = fn;
    }
  }
  setup.stride = (setup.params.size_of_opaque_state + 7u) & ~(size_t)7u;
  setup.per_page = setup.page_size / setup.stride;
  arena.map_flags = (int)setup.params.mmap_flags;
}

const struct vgr_setup *vgr_setup(void) {
  pthread_once(&setup_once, do_setup);
  return &setup;
}

void vgr_wipe(void *p, size_t n) {
  memset(p, 0, n);
  // The memory outlives this call (it is the arena), but keep even a clever compiler from
  // treating the store as dead.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

// mmap()s one page with the params' prot and flags. On a kernel older than 6.11 the map type
// MAP_DROPPABLE is unknown and mmap() fails with EINVAL: fall back to ordinary private memory
// that is at least wiped in a fork child and left out of core dumps (what MAP_DROPPABLE
// implies besides dropping), and remember it so info() can say the pages are not droppable.
// Without MADV_WIPEONFORK a fork child would share its parent's keys: fail closed instead.
static unsigned char *map_page(void) {
  const size_t len = setup.page_size;
  void *p = mmap(NULL, len, (int)setup.params.mmap_prot, arena.map_flags, -1, 0);
  if (p == MAP_FAILED && errno == EINVAL && (arena.map_flags & 0x0f) == MAP_DROPPABLE) {
    arena.map_flags = MAP_PRIVATE | MAP_ANONYMOUS;
    arena.droppable = 0;
    p = mmap(NULL, len, (int)setup.params.mmap_prot, arena.map_flags, -1, 0);
    if (p == MAP_FAILED) return NULL;
    if (madvise(p, len, MADV_WIPEONFORK) != 0) {
      int e = errno;
      munmap(p, len);
      errno = e;
      return NULL;
    }
    (void)madvise(p, len, MADV_DONTDUMP);  // best effort: only keeps keys out of core dumps
    return p;
  }
  if (p == MAP_FAILED) return NULL;
  if (arena.droppable < 0) arena.droppable = (arena.map_flags & 0x0f) == MAP_DROPPABLE;
  return p;
}

// Appends a freshly mapped page; returns its index, or -1 with errno set.
static ptrdiff_t add_page(void) {
  if (arena.npages == arena.cap) {
    size_t cap = arena.cap ? arena.cap * 2 : 8;
    struct page *pages = realloc(arena.pages, cap * sizeof *pages);
    if (pages == NULL) return -1;
    arena.pages = pages;
    arena.cap = cap;
  }
  struct slot *slots = calloc(setup.per_page, sizeof *slots);
  if (slots == NULL) return -1;
  unsigned char *addr = map_page();
  if (addr == NULL) {
    int e = errno;
    free(slots);
    errno = e;
    return -1;
  }
  arena.pages[arena.npages] = (struct page){addr, 0, slots};
  return (ptrdiff_t)arena.npages++;
}

static struct page *find_page(uintptr_t addr) {
  for (size_t i = 0; i < arena.npages; i++) {
    if ((uintptr_t)arena.pages[i].addr == addr) return &arena.pages[i];
  }
  return NULL;
}

// The slot of the slice starting at `state`, or NULL if no slice starts there.
static struct slot *find_slot(const void *state, struct page **page_out) {
  uintptr_t a = (uintptr_t)state, base = a & ~(uintptr_t)(setup.page_size - 1);
  struct page *page = find_page(base);
  if (page == NULL) return NULL;
  size_t off = a - base;
  if (off % setup.stride != 0 || off / setup.stride >= setup.per_page) return NULL;
  *page_out = page;
  return &page->slots[off / setup.stride];
}

// Called with the lock held when `page` has just become empty: keep it if it is the only
// empty page, else unmap it. Its slices are all zero and no JS buffer can reach them.
static void maybe_unmap(struct page *page) {
  for (size_t i = 0; i < arena.npages; i++) {
    struct page *other = &arena.pages[i];
    if (other != page && other->used == 0) {
      munmap(page->addr, setup.page_size);
      free(page->slots);
      *page = arena.pages[--arena.npages];  // order of pages carries no meaning
      return;
    }
  }
}

// Lock held. Unmaps all but one of the pages with no slice in use (walking backwards:
// maybe_unmap moves the last page into the freed place).
static void unmap_empty_pages(void) {
  for (size_t i = arena.npages; i-- > 0;) {
    if (arena.pages[i].used == 0) maybe_unmap(&arena.pages[i]);
  }
}

void *vgr_arena_alloc(const void *owner, uint64_t *ticket) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  // First fit: fill the pages we have before touching a new one, so that few pages stay hot
  // and threads share pages (as glibc's allocator does).
  struct page *page = NULL;
  for (size_t i = 0; i < arena.npages && page == NULL; i++) {
    if (arena.pages[i].used < setup.per_page) page = &arena.pages[i];
  }
  if (page == NULL) {
    ptrdiff_t i = add_page();
    if (i < 0) {
      int e = errno;
      pthread_mutex_unlock(&arena.lock);
      errno = e;
      return NULL;
    }
    page = &arena.pages[i];
  }
  // Within the page, a free slot whose neighbours are free too, if there is one: slices 144
  // bytes apart share a 64-byte cache line, and two threads that write one line on every call
  // slow each other down (measured: 2 workers drew 1.1x one worker's rate with neighbouring
  // slices, 1.5x with slices apart). Slices two slots apart share no line.
  size_t k = setup.per_page;
  for (size_t i = 0; i < setup.per_page && k == setup.per_page; i++) {
    bool isolated = page->slots[i].ticket == 0 && (i == 0 || page->slots[i - 1].ticket == 0) &&
                    (i + 1 == setup.per_page || page->slots[i + 1].ticket == 0);
    if (isolated) k = i;
  }
  if (k == setup.per_page) {
    k = 0;
    while (page->slots[k].ticket != 0) k++;  // used < per_page, so a free slot exists
  }
  page->slots[k].ticket = *ticket = ++arena.last_ticket;
  page->slots[k].owner = owner;
  page->used++;
  arena.in_use++;
  void *state = page->addr + k * setup.stride;
  pthread_mutex_unlock(&arena.lock);
  return state;
}

int vgr_arena_held(const void *state, const void *owner) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  struct page *page;
  struct slot *slot = find_slot(state, &page);
  int r = slot == NULL ? VGR_NOT_A_SLICE : (slot->ticket != 0 && slot->owner == owner) ? VGR_OK : VGR_NOT_HELD;
  pthread_mutex_unlock(&arena.lock);
  return r;
}

// Lock held. Wipes a held slice and frees its slot.
static void release_slot(struct page *page, struct slot *slot) {
  vgr_wipe(page->addr + (size_t)(slot - page->slots) * setup.stride, setup.stride);
  slot->ticket = 0;
  slot->owner = NULL;
  page->used--;
  arena.in_use--;
}

int vgr_arena_release(void *state, const void *owner, uint64_t ticket) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  struct page *page;
  struct slot *slot = find_slot(state, &page);
  int r = VGR_NOT_A_SLICE;
  if (slot != NULL) {
    r = VGR_NOT_HELD;
    if (slot->ticket != 0 && slot->owner == owner && (ticket == 0 || slot->ticket == ticket)) {
      release_slot(page, slot);
      if (page->used == 0) maybe_unmap(page);
      r = VGR_OK;
    }
  }
  pthread_mutex_unlock(&arena.lock);
  return r;
}

size_t vgr_arena_release_owner(const void *owner) {
  vgr_setup();
  size_t n = 0;
  pthread_mutex_lock(&arena.lock);
  for (size_t i = 0; i < arena.npages; i++) {
    struct page *page = &arena.pages[i];
    for (size_t k = 0; k < setup.per_page; k++) {
      if (page->slots[k].ticket != 0 && page->slots[k].owner == owner) {
        release_slot(page, &page->slots[k]);
        n++;
      }
    }
  }
  unmap_empty_pages();
  pthread_mutex_unlock(&arena.lock);
  return n;
}

size_t vgr_arena_held_count(const void *owner) {
  vgr_setup();
  size_t n = 0;
  pthread_mutex_lock(&arena.lock);
  for (size_t i = 0; i < arena.npages; i++) {
    for (size_t k = 0; k < setup.per_page; k++) n += arena.pages[i].slots[k].ticket != 0 && arena.pages[i].slots[k].owner == owner;
  }
  pthread_mutex_unlock(&arena.lock);
  return n;
}

void vgr_arena_stats(struct vgr_arena_stats *out) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  out->pages = arena.npages;
  out->in_use = arena.in_use;
  out->free = arena.npages * setup.per_page - arena.in_use;
  pthread_mutex_unlock(&arena.lock);
}

size_t vgr_arena_expire_all(void) {
  vgr_setup();
  size_t n = 0;
  // Only a state of the one layout we know has its generation there (JS refuses any other).
  if (setup.params.size_of_opaque_state < VGR_STATE_GENERATION_OFFSET + sizeof(uint64_t)) return 0;
  pthread_mutex_lock(&arena.lock);
  for (size_t i = 0; i < arena.npages; i++) {
    struct page *page = &arena.pages[i];
    for (size_t k = 0; k < setup.per_page; k++) {
      if (page->slots[k].ticket == 0) continue;
      uint64_t *generation = (uint64_t *)(page->addr + k * setup.stride + VGR_STATE_GENERATION_OFFSET);
      __atomic_store_n(generation, 0, __ATOMIC_SEQ_CST);
      n++;
    }
  }
  for (size_t i = 0; i < npools; i++) {
    __atomic_store_n((uint64_t *)(void *)(pools[i].addr + POOL_GENERATION_OFFSET), 0, __ATOMIC_SEQ_CST);
  }
  pthread_mutex_unlock(&arena.lock);
  return n;
}

void *vgr_map_state_page(void) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  void *p = map_page();
  int e = errno;
  pthread_mutex_unlock(&arena.lock);
  errno = e;
  return p;
}

void *vgr_arena_map_pool(const void *owner) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  unsigned char *p = NULL;
  int e = 0;
  for (size_t i = 0; i < npools; i++) {
    if (pools[i].owner == owner) {
      p = pools[i].addr;
      goto out;
    }
  }
  e = ENOMEM;
  if (npools == MAX_POOLS) goto out;
  p = map_page();
  e = errno;
  if (p != NULL) pools[npools++] = (typeof(pools[0])){p, owner};
out:
  pthread_mutex_unlock(&arena.lock);
  errno = e;
  return p;
}

// With the lock held: unmaps pool i (zeroed first: munmap alone would leave nothing, but the
// page must never be reachable with key-derived bytes in it) and closes the gap.
static void unmap_pool(size_t i) {
  vgr_wipe(pools[i].addr, setup.page_size);
  munmap(pools[i].addr, setup.page_size);
  pools[i] = pools[--npools];
}

void vgr_arena_unmap_pool(const void *owner) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  for (size_t i = npools; i-- > 0;) {
    if (pools[i].owner == owner) unmap_pool(i);
  }
  pthread_mutex_unlock(&arena.lock);
}

// With the lock held: the pool page at `addr`, or NULL.
static unsigned char *find_pool(uintptr_t addr) {
  for (size_t i = 0; i < npools; i++) {
    if ((uintptr_t)pools[i].addr == addr) return pools[i].addr;
  }
  return NULL;
}

uintptr_t vgr_arena_first_page(void) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  uintptr_t addr = 0;
  if (arena.npages > 0 || add_page() >= 0) addr = (uintptr_t)arena.pages[0].addr;
  int e = errno;
  pthread_mutex_unlock(&arena.lock);
  errno = e;
  return addr;
}

int vgr_arena_droppable(void) {
  pthread_mutex_lock(&arena.lock);
  int d = arena.droppable;
  pthread_mutex_unlock(&arena.lock);
  return d;
}

static bool resident(void *addr) {
  unsigned char v = 0;
  return mincore(addr, setup.page_size, &v) == 0 && (v & 1) != 0;
}

// MADV_PAGEOUT reclaims only pages on the LRU lists. A page faulted in lately may still sit in
// the per-CPU batch of the CPU that faulted it, and madvise drains only the calling CPU's batch
// (lru_add_drain()), so one call from another CPU leaves such a page alone. When the page is
// still resident afterwards, advise it again from each CPU this thread may run on: each call
// drains that CPU's batch first.
static int drop_page(void *addr) {
  if (madvise(addr, setup.page_size, MADV_PAGEOUT) != 0) return -errno;
  if (!resident(addr)) return 0;
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && resident(addr); cpu++) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) madvise(addr, setup.page_size, MADV_PAGEOUT);
  }
  sched_setaffinity(0, sizeof allowed, &allowed);
  return 0;
}

int vgr_arena_pageout(uintptr_t addr) {
  vgr_setup();
  pthread_mutex_lock(&arena.lock);
  // Under the lock: the page cannot be unmapped (and its address reused) while we advise it.
  struct page *page = find_page(addr);
  unsigned char *pool = page == NULL ? find_pool(addr) : NULL;
  int r = page != NULL ? drop_page(page->addr) : pool != NULL ? drop_page(pool) : VGR_NOT_A_SLICE;
  pthread_mutex_unlock(&arena.lock);
  return r;
}

size_t vgr_arena_pageout_all(void) {
  vgr_setup();
  size_t n = 0;
  pthread_mutex_lock(&arena.lock);
  for (size_t i = 0; i < arena.npages; i++) {
    if (madvise(arena.pages[i].addr, setup.page_size, MADV_PAGEOUT) == 0) n++;
  }
  for (size_t i = 0; i < npools; i++) {
    if (madvise(pools[i].addr, setup.page_size, MADV_PAGEOUT) == 0) n++;
  }
  pthread_mutex_unlock(&arena.lock);
  return n;
}

// --- fork(2) ---------------------------------------------------------------------------------
//
// Called by native/fork.c's pthread_atfork handlers, in the order that file gives (the dropper's
// lock before the arena's). While the forking thread holds `arena.lock` across fork(), no other
// thread is inside an arena call, so the child inherits a consistent arena: no half-carved page,
// no slot with a ticket but no owner.

void vgr_arena_atfork_prepare(void) { pthread_mutex_lock(&arena.lock); }

void vgr_arena_atfork_parent(void) { pthread_mutex_unlock(&arena.lock); }

// In the child, which has one thread: the forking one. The lock it held across fork() is
// re-initialised, not unlocked: the thread has a new id in the child, and a fresh mutex needs no
// assumption about the owner the old one recorded. Every slice of an owner other than `keep` belonged to a thread the child does
// not have: no one can ever free it, and since its page was wiped by the fork it would otherwise
// sit there as a zero state that nobody holds. glibc does the same with its own states after a
// fork (it once shipped without it: duplicate states after a multithreaded fork). The slices are
// wiped (already zero on a wipe-on-fork page; wiped anyway, the free-slice invariant must not
// depend on the kernel) and freed, and empty pages are unmapped but one.
void vgr_arena_atfork_child(const void *keep) {
  pthread_mutex_init(&arena.lock, NULL);
  for (size_t i = 0; i < arena.npages; i++) {
    struct page *page = &arena.pages[i];
    for (size_t k = 0; k < setup.per_page; k++) {
      if (page->slots[k].ticket != 0 && page->slots[k].owner != keep) release_slot(page, &page->slots[k]);
    }
  }
  unmap_empty_pages();
  // The pools of the threads the child does not have: no env will ever use or unmap them.
  for (size_t i = npools; i-- > 0;) {
    if (pools[i].owner != keep) unmap_pool(i);
  }
}

// --- the dropper thread --------------------------------------------------------------------

static struct {
  pthread_mutex_t lock;  // guards running/thread/owner against concurrent start/stop
  int running;
  pthread_t thread;
  const void *owner;
  unsigned interval_us;
  atomic_bool stop;
  atomic_uint_fast64_t drops;
} dropper = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *dropper_main(void *arg) {
  (void)arg;
  struct timespec pause = {(time_t)(dropper.interval_us / 1000000u), (long)(dropper.interval_us % 1000000u) * 1000L};
  while (!atomic_load_explicit(&dropper.stop, memory_order_relaxed)) {
    atomic_fetch_add_explicit(&dropper.drops, vgr_arena_pageout_all(), memory_order_relaxed);
    if (dropper.interval_us == 0) sched_yield();
    else nanosleep(&pause, NULL);
  }
  return NULL;
}

int vgr_dropper_start(unsigned interval_us, const void *owner) {
  vgr_setup();
  pthread_mutex_lock(&dropper.lock);
  int r = -EBUSY;
  if (!dropper.running) {
    dropper.interval_us = interval_us;
    dropper.owner = owner;
    atomic_store(&dropper.stop, false);
    atomic_store(&dropper.drops, 0);
    r = -pthread_create(&dropper.thread, NULL, dropper_main, NULL);
    dropper.running = r == 0;
  }
  pthread_mutex_unlock(&dropper.lock);
  return r;
}

int64_t vgr_dropper_stop(const void *owner) {
  pthread_mutex_lock(&dropper.lock);
  int64_t n = -1;
  if (dropper.running && (owner == NULL || owner == dropper.owner)) {
    atomic_store(&dropper.stop, true);
    pthread_join(dropper.thread, NULL);
    dropper.running = 0;
    n = (int64_t)atomic_load(&dropper.drops);
  }
  pthread_mutex_unlock(&dropper.lock);
  return n;
}

// The dropper's lock goes before the arena's in the atfork handlers: vgr_dropper_stop() holds it
// while it joins the dropper thread, which may be waiting for `arena.lock`; a prepare handler
// that held `arena.lock` and then waited for this lock would never get it.
void vgr_dropper_atfork_prepare(void) { pthread_mutex_lock(&dropper.lock); }

void vgr_dropper_atfork_parent(void) { pthread_mutex_unlock(&dropper.lock); }

// In the child: the dropper thread, if one ran, did not come along (fork copies only the calling
// thread), so it is not running; a stale `running` would make vgr_dropper_stop() join a thread
// that does not exist, and vgr_dropper_start() refuse to start one.
void vgr_dropper_atfork_child(void) {
  pthread_mutex_init(&dropper.lock, NULL);
  dropper.running = 0;
  dropper.owner = NULL;
  atomic_store(&dropper.stop, false);
}
