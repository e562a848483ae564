// Stress test of the process-wide arena (native/arena.c) without Node: threads allocate, fill,
// check and free slices while the dropper thread drops every page and one thread's slices are
// released wholesale, as an env teardown does. Any slice handed to two threads at once, or
// freed while another thread holds it, shows up as a foreign byte. Built and run by
// test/platform/native.test.ts under AddressSanitizer; also useful under -fsanitize=thread (the same
// command line as the test's, with `thread` for `address,undefined`).
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

enum { THREADS = 4, ROUNDS = 3000, HOLD = 40 };

static int failures;  // updated with __atomic builtins

static void *worker(void *arg) {
  const unsigned char tag = (unsigned char)(uintptr_t)arg;
  const void *owner = arg;  // each thread is its own "env"
  const size_t size = vgr_setup()->params.size_of_opaque_state;
  void *held[HOLD];
  uint64_t tickets[HOLD];
  for (int round = 0; round < ROUNDS; round++) {
    int n = 1 + round % HOLD;
    for (int i = 0; i < n; i++) {
      held[i] = vgr_arena_alloc(owner, &tickets[i]);
      if (held[i] == NULL) {
        __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        return NULL;
      }
      memset(held[i], tag, size);
    }
    for (int i = 0; i < n; i++) {
      // The dropper may zero a page at any time, but nobody else may ever write our tag's slot.
      const unsigned char *p = held[i];
      for (size_t k = 0; k < size; k++) {
        if (p[k] != tag && p[k] != 0) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
      }
    }
    if (round % 500 == 499) {
      // An env teardown: everything this owner holds goes back at once.
      if (vgr_arena_release_owner(owner) != (size_t)n) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
      continue;
    }
    for (int i = 0; i < n; i++) {
      // A stale ticket must not free the slice: only the current allocation's does.
      if (vgr_arena_release(held[i], owner, tickets[i] + 1000000) != VGR_NOT_HELD) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
      if (vgr_arena_release(held[i], (const void *)1, 0) != VGR_NOT_HELD) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
      if (vgr_arena_release(held[i], owner, tickets[i]) != VGR_OK) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

int main(void) {
  const struct vgr_setup *s = vgr_setup();
  if (vgr_dropper_start(0, NULL) != 0) return fprintf(stderr, "dropper failed to start\n"), 1;
  pthread_t threads[THREADS];
  for (uintptr_t t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, worker, (void *)(t + 0x10));
  for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
  int64_t drops = vgr_dropper_stop(NULL);
  struct vgr_arena_stats st;
  vgr_arena_stats(&st);
  printf("failures %d drops %lld pages %zu in_use %zu free %zu per_page %zu vdso %d\n", failures, (long long)drops,
         st.pages, st.in_use, st.free, s->per_page, s->vdso_getrandom != NULL);
  // Everything was given back, and at most one empty page is kept.
  return failures == 0 && drops > 0 && st.in_use == 0 && st.pages <= 1 ? 0 : 1;
}
