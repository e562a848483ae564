// The process-wide generation: the userspace stand-in for the kernel's
// vdso_rng_data.generation. A ticker thread moves it on every key interval and reseed() moves
// it at once; every JS thread reads it from a cell of its own, published by plain stores, so
// the generator's check costs a memory read instead of a clock read.
#ifndef VGETRANDOM_GENERATION_H
#define VGETRANDOM_GENERATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Publishes the generation into `cell` ({low word, high word}) now and on every change until
 * vgr_generation_unregister(cell). Starts the ticker thread on first use. Returns 0, or a
 * negative errno if the node or the thread cannot be made.
 */
int vgr_generation_register(uint32_t cell[2]);

/* Stops publishing into `cell` (its thread is going away). */
void vgr_generation_unregister(uint32_t cell[2]);

/* Moves the generation on now, for every thread: every state rekeys before its next output. */
uint64_t vgr_generation_bump(void);

/* The generation now. */
uint64_t vgr_generation_now(void);

/*
 * Starts the ticker again if one was started before and is not running (a fork child whose
 * atfork handler could not start it). Returns 0, or a negative errno.
 */
int vgr_generation_ensure_ticker(void);

/* How many cells are registered. */
size_t vgr_generation_cell_count(void);

/*
 * fork(2), for native/fork.c's pthread_atfork handlers: prepare takes the lock, parent releases
 * it; child re-initialises it, keeps only `keep` (the forking thread's cell, or NULL) registered,
 * moves the generation on into it and starts a ticker again if the parent had one.
 */
void vgr_generation_atfork_prepare(void);
void vgr_generation_atfork_parent(void);
void vgr_generation_atfork_child(const uint32_t *keep);

#endif
