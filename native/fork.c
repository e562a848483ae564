// The addon across fork(2). fork() copies only the calling thread; every other thread, and
// whatever it was in the middle of, is gone in the child. Without these handlers, a child:
//   - inherits a mutex locked by a thread it does not have, and deadlocks at its next lock;
//   - has no ticker thread but believes it has one, so its keys never expire (invariant 5);
//   - believes a dropper thread runs, and joins a thread that does not exist when told to stop;
//   - keeps every other thread's slices held forever, by owners that will never free them.
// So, registered once with pthread_atfork:
//   prepare  takes every addon lock, in the one order below, so no other thread is inside the
//            addon when fork() copies memory: the child sees every structure between two calls;
//   parent   releases them, in the reverse order;
//   child    re-initialises them (the child has one thread: this one) and repairs the rest:
//            frees every slice whose owner is not this thread's env, drops the other threads'
//            generation cells, moves the generation on, and starts a ticker again.
//
// Lock order (every addon mutex; chacha20.c and vdso.c have none, only pthread_once, which
// glibc resets in a fork child):
//   1. dropper.lock (arena.c)  vgr_dropper_stop() holds it while it joins the dropper thread,
//                              which takes arena.lock on every round: taking arena.lock first
//                              here could wait forever for a stop that waits for us;
//   2. arena.lock (arena.c)    no path takes another addon lock while holding it;
//   3. lock (generation.c)     no path takes another addon lock while holding it, nor takes it
//                              while holding one: its place is free, and it goes last.
// A new mutex in the addon gets a place in this list, or a deadlock at fork.
//
// Which env forks: each JS thread is one env on one OS thread, so a thread-local names the env
// of the calling thread (set when the addon is loaded into it). A fork from a thread with no
// env (a thread of another library) keeps no slices at all: no thread in the child holds one.
//
// The handlers stay valid for the life of the process: the addon is linked -z nodelete
// (binding.gyp), so glibc never unregisters them at dlclose.

#include "fork.h"

#include <pthread.h>
#include <stddef.h>

#include "arena.h"
#include "generation.h"

// The env living on this thread, if any.
static __thread struct {
  const void *owner;
  uint32_t *cell;
} this_thread;

static void prepare(void) {
  vgr_dropper_atfork_prepare();
  vgr_arena_atfork_prepare();
  vgr_generation_atfork_prepare();
}

static void parent(void) {
  vgr_generation_atfork_parent();
  vgr_arena_atfork_parent();
  vgr_dropper_atfork_parent();
}

// The same order as prepare: each module re-initialises its own lock before it uses it, and
// none calls into another.
static void child(void) {
  vgr_dropper_atfork_child();
  vgr_arena_atfork_child(this_thread.owner);
  vgr_generation_atfork_child(this_thread.cell);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int setup_result;

static void do_setup(void) { setup_result = -pthread_atfork(prepare, parent, child); }

int vgr_fork_setup(void) {
  pthread_once(&once, do_setup);
  return setup_result;
}

void vgr_fork_this_thread(const void *owner, uint32_t *cell) {
  this_thread.owner = owner;
  this_thread.cell = cell;
}

void vgr_fork_thread_gone(const void *owner) {
  if (this_thread.owner == owner) {
    this_thread.owner = NULL;
    this_thread.cell = NULL;
  }
}
