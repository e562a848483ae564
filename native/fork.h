// fork(2) and the addon: pthread_atfork handlers that carry every lock of the addon across a
// fork consistently and repair, in the child, what the threads the child lacks left behind.
#ifndef VGETRANDOM_FORK_H
#define VGETRANDOM_FORK_H

#include <stdint.h>

/*
 * Registers the handlers, once per process (later calls return the first call's result).
 * Returns 0, or a negative errno (ENOMEM) if they could not be registered: then a fork child
 * could deadlock or share states, and the caller must not go on as if forks were handled.
 */
int vgr_fork_setup(void);

/*
 * Names the env that lives on the calling thread: `owner` is the identity its slices are held
 * under, `cell` its generation cell (registered or not yet). In a fork child, which has only
 * the forking thread, that env's slices and cell are kept and every other thread's are dropped.
 * One env per thread (each JS thread is one env on one OS thread).
 */
void vgr_fork_this_thread(const void *owner, uint32_t *cell);

/* The calling thread's env is going away: forget it, if `owner` is the one named. */
void vgr_fork_thread_gone(const void *owner);

#endif
