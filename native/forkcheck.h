// A test probe of the addon's fork handling (native/fork.c): fork(2) for real, with every
// pthread_atfork handler, and report what the child sees of the addon. For tests only: the
// child runs nothing but the addon's C code and _exits.
#ifndef VGETRANDOM_FORKCHECK_H
#define VGETRANDOM_FORKCHECK_H

#include <stdint.h>

/* What the child saw, in the order it looked. */
struct vgr_fork_check_child {
  uint64_t generation_at_fork;  // the forking env's cell, read first thing after fork()
  uint64_t now_at_fork;         // vgr_generation_now() (takes the generation lock)
  uint64_t states_in_use;       // the whole arena (takes the arena lock)
  uint64_t states_held;         // held by the forking env
  uint64_t cells;               // generation cells registered
  uint8_t dropper_was_running;  // vgr_dropper_stop(NULL) found a dropper (takes the dropper lock)
  uint8_t alloc_ok;             // a fresh slice could be taken, was zero, and went back
  uint32_t waited_ms;           // how long it then waited
  uint64_t generation_later;    // the cell after the wait
};

struct vgr_fork_check {
  // The parent, just before fork().
  uint64_t parent_generation, parent_states_in_use, parent_states_held, parent_cells;
  struct vgr_fork_check_child child;
};

/*
 * Forks with fork() (so with every atfork handler). The child reads the above for the env
 * whose slices are held under `owner` and whose generation cell is `cell` (registered), then
 * waits until its generation has moved on `min_ticks` times, at most `wait_ms` ms (min_ticks 0:
 * the whole `wait_ms`), reads the cell again, reports through a pipe and _exits.
 * The parent waits at most wait_ms + timeout_ms for the report, then kills the child.
 * Returns 0; -ETIMEDOUT if the child did not report in time (killed: a deadlock, most likely);
 * -EPROTO if it exited without a full report; or -errno from pipe() or fork().
 */
int vgr_fork_check(const void *owner, const uint32_t cell[2], uint32_t wait_ms, uint32_t min_ticks, uint32_t timeout_ms,
                   struct vgr_fork_check *out);

#endif
