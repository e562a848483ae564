// The process-wide generation and the ticker that moves it on every key interval.
//
// A key is tied to the generation it was fetched in; the generator rekeys when the generation
// it reads differs from the state's. The kernel bumps its generation on every CRNG reseed, at
// most every 60 s; here a thread does the same on a fixed period, and reseed() bumps it at
// once. Every JS thread gets a cell of its own (an env cannot safely share one external
// ArrayBuffer's memory with another), and every change is published into every cell.
//
// The kernel's own generation (native/kernelgen.c) reaches the states in one of two ways. Mapped:
// JS compares a state's generation with {this cell's low word, the kernel's low word}, the second
// read where the kernel keeps it, so a kernel reseed reaches every state at once. Polled: the
// ticker also wakes every VGR_KERNEL_POLL_NS, asks the kernel's generation through a probe state,
// and moves this generation on when it moved. Either way this generation still moves on every
// tick, so a key never outlives the period where the kernel reseeds less often.
//
// Invariants:
// - The generation is never 0 and neither is its low word. A state that was zeroed (a dropped
//   page, a fork child) holds generation 0, so it never matches and always rekeys. Because the
//   low word alone is never 0, a reader that sees the two words from two different moments (a
//   publish in between) still never reads 0, so it never mistakes a zeroed state for a valid one.
// - In mapped mode JS reads only the low word of this generation, which comes back to a value
//   after 2^32 - 1 moves: a state keyed that long ago would match again. So when the low word
//   wraps, every state in the arena has its generation zeroed (vgr_arena_expire_all) before the
//   advance and again after it, and a state keyed before the wrap can never match after it.
//   States outside the addon's arena (a simulated mm's, in a process with the addon) are not
//   reached: for them the other word, the kernel's, must move in between, which it does on
//   every kernel reseed (about every 60 s), while 2^32 moves of this one take far longer (each
//   takes this lock and publishes to every cell; measured from JS, 49 ns a move on an Intel Xeon,
//   so 2^32 take three and a half minutes, and more threads bumping only contend for the lock).
// - A key expires at most TICK_NS + (the ticker's wake-up latency) after it was fetched: it was
//   fetched after the generation it belongs to began, and the next tick ends that generation.
//   TICK_NS is a second under the kernel's 60 s so that a late wake-up still stays within it.
//   VGETRANDOM_TICK_MS in the environment may shorten the period (tests watch keys expire), never
//   lengthen it; VGETRANDOM_GENERATION_START may set where the generation starts (tests watch
//   the low word wrap).
// - Once a ticker was started, one runs whenever the process runs addon code: a fork child,
//   which gets no copy of the ticker thread, starts its own in the atfork child handler, and if
//   that fails, the next register, bump or vgr_generation_ensure_ticker() starts it.
// - A fork child starts in a generation of its own: the child handler moves the generation on,
//   as a fork does to every state's memory (wipe-on-fork), so nothing the child derives from a
//   generation it shared with its parent stays valid.

#include "generation.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "kernelgen.h"

#define TICK_NS (59LL * 1000000000LL)

// The period: TICK_NS, or a shorter one from VGETRANDOM_TICK_MS (read once, by the ticker).
static long long tick_ns(void) {
  const char *ms = getenv("VGETRANDOM_TICK_MS");
  if (ms == NULL) return TICK_NS;
  char *end;
  long long v = strtoll(ms, &end, 10);
  if (*end != '\0' || v <= 0 || v * 1000000LL > TICK_NS) return TICK_NS;
  return v * 1000000LL;
}

// Where the generation starts: 1, or VGETRANDOM_GENERATION_START if it is an integer in
// [1, 2^53) whose low word is not 0.
static uint64_t start_generation(void) {
  const char *s = getenv("VGETRANDOM_GENERATION_START");
  if (s == NULL) return 1;
  char *end;
  unsigned long long v = strtoull(s, &end, 0);
  if (*end != '\0' || v == 0 || v >= (1ULL << 53) || (uint32_t)v == 0) return 1;
  return v;
}

struct cell_node {
  uint32_t *cell;
  struct cell_node *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t generation;  // 0 until the first register: start_generation()
static struct cell_node *cells;
static bool ticking;  // a ticker thread runs in this process
static bool wanted;   // a ticker was started once: a fork child that lost it starts another

static void *ticker(void *arg);

// Called with `lock` held. High word first: a reader sees a new low word only with its high word.
static void publish(uint32_t *cell, uint64_t g) {
  __atomic_store_n(&cell[1], (uint32_t)(g >> 32), __ATOMIC_RELEASE);
  __atomic_store_n(&cell[0], (uint32_t)g, __ATOMIC_RELEASE);
}

// Called with `lock` held: the generation starts where start_generation() says, once.
static void ensure_started(void) {
  if (generation == 0) generation = start_generation();
}

// True if the next advance() wraps the low word (past 0xffffffff, to 1).
static bool wraps_next(void) { return (uint32_t)(generation + 1) == 0; }

// Called with `lock` held: the next generation, into every cell. Every caller expires the
// arena's states first when it wraps_next() (see the invariants above).
static void advance(void) {
  ensure_started();
  generation++;
  if ((uint32_t)generation == 0) generation++;  // the low word is never 0 (see above)
  for (struct cell_node *n = cells; n != NULL; n = n->next) publish(n->cell, generation);
}

// Called with `lock` held: starts the (detached) ticker unless one runs. 0, or a negative errno.
static int start_ticker(void) {
  if (ticking) return 0;
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int r = pthread_create(&thread, &attr, ticker, NULL);
  pthread_attr_destroy(&attr);
  if (r != 0) return -r;
  ticking = wanted = true;
  return 0;
}

uint64_t vgr_generation_bump(void) {
  pthread_mutex_lock(&lock);
  if (wanted) (void)start_ticker();  // a fork child whose handler could not start one
  ensure_started();
  // The arena's lock is never taken under this one (native/fork.c's order): expire unlocked,
  // then advance only if nobody advanced meanwhile (whoever did expired first too). A state that
  // rekeyed between the expiry and the advance holds the last value before the wrap, which comes
  // back before the next wrap: the arena is expired again once this advance is published.
  bool wrapped = false;
  while (wraps_next()) {
    uint64_t at = generation;
    pthread_mutex_unlock(&lock);
    (void)vgr_arena_expire_all();
    pthread_mutex_lock(&lock);
    if (generation == at) {
      wrapped = true;
      break;
    }
  }
  advance();
  uint64_t g = generation;
  pthread_mutex_unlock(&lock);
  if (wrapped) (void)vgr_arena_expire_all();
  return g;
}

int vgr_generation_ensure_ticker(void) {
  pthread_mutex_lock(&lock);
  int r = wanted ? start_ticker() : 0;
  pthread_mutex_unlock(&lock);
  return r;
}

size_t vgr_generation_cell_count(void) {
  pthread_mutex_lock(&lock);
  size_t n = 0;
  for (struct cell_node *c = cells; c != NULL; c = c->next) n++;
  pthread_mutex_unlock(&lock);
  return n;
}

uint64_t vgr_generation_now(void) {
  pthread_mutex_lock(&lock);
  ensure_started();
  uint64_t g = generation;
  pthread_mutex_unlock(&lock);
  return g;
}

static void add_ns(struct timespec *t, long long ns) {
  ns += t->tv_nsec;
  t->tv_sec += ns / 1000000000LL;
  t->tv_nsec = ns % 1000000000LL;
}

static bool earlier(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

// Sleeps to absolute deadlines, so the period does not drift with the time each bump takes, on
// CLOCK_BOOTTIME, which counts time suspended: a key fetched before a suspend expires on resume.
// Every tick re-checks the mapped kernel word and moves the generation on; in polled mode it also
// wakes every VGR_KERNEL_POLL_NS and moves the generation on when the kernel's moved.
static void *ticker(void *arg) {
  (void)arg;
  const long long period = tick_ns();
  struct timespec tick, poll;
  clock_gettime(CLOCK_BOOTTIME, &tick);
  poll = tick;
  add_ns(&tick, period);
  add_ns(&poll, VGR_KERNEL_POLL_NS);
  for (;;) {
    bool polling = vgr_kernel_mode() == VGR_KERNEL_POLLED && earlier(&poll, &tick);
    const struct timespec *wake = polling ? &poll : &tick;
    while (clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, wake, NULL) == EINTR) {
    }
    if (polling) {
      // From now, not from the last deadline: a late wake-up polls once, not in a burst.
      clock_gettime(CLOCK_BOOTTIME, &poll);
      add_ns(&poll, VGR_KERNEL_POLL_NS);
      if (vgr_kernel_poll()) vgr_generation_bump();
      continue;
    }
    add_ns(&tick, period);
    // A failed re-check switches to polling; the bump below covers what the word missed.
    (void)vgr_kernel_recheck();
    vgr_generation_bump();
  }
  return NULL;
}

int vgr_generation_register(uint32_t cell[2]) {
  // Before the ticker can start: it polls or re-checks what the setup found.
  vgr_kernel_setup();
  struct cell_node *node = malloc(sizeof *node);
  if (node == NULL) return -ENOMEM;
  pthread_mutex_lock(&lock);
  ensure_started();
  int r = start_ticker();
  if (r < 0) {
    pthread_mutex_unlock(&lock);
    free(node);
    return r;
  }
  node->cell = cell;
  node->next = cells;
  cells = node;
  publish(cell, generation);
  pthread_mutex_unlock(&lock);
  return 0;
}

void vgr_generation_unregister(uint32_t cell[2]) {
  pthread_mutex_lock(&lock);
  for (struct cell_node **p = &cells; *p != NULL; p = &(*p)->next) {
    if ((*p)->cell == cell) {
      struct cell_node *gone = *p;
      *p = gone->next;
      free(gone);
      break;
    }
  }
  pthread_mutex_unlock(&lock);
}

// --- fork(2): native/fork.c's pthread_atfork handlers -----------------------------------------
//
// No other module's lock is taken while `lock` is held, nor `lock` while another's is: its place
// in fork.c's order is free, and it goes last.

void vgr_generation_atfork_prepare(void) { pthread_mutex_lock(&lock); }

void vgr_generation_atfork_parent(void) { pthread_mutex_unlock(&lock); }

// In the child, which has one thread (the forking one):
// - `lock` is re-initialised, not unlocked (the thread has a new id in the child);
// - the cells of every other thread are dropped: those threads did not come along, their cells
//   are in env data that nothing in the child will read or free, and publishing into them would
//   only keep dead memory alive; `keep` (the forking thread's cell, or NULL) stays registered;
// - the generation moves on and is published, so every state rekeys before its next output;
// - the ticker thread did not come along either: `ticking` is cleared and a new one is started
//   here. pthread_create() in a child handler is not async-signal-safe by POSIX's letter, but
//   glibc (the libc this addon is built against) has re-initialised malloc, its stack cache and
//   its thread list before it runs child handlers, and creating a thread there works. Starting it
//   here rather than at the next addon call keeps invariant 5 for a child that runs no addon
//   code for a while yet still reads its cell. If it fails, `ticking` stays false and the next
//   register, bump or vgr_generation_ensure_ticker() tries again.
void vgr_generation_atfork_child(const uint32_t *keep) {
  pthread_mutex_init(&lock, NULL);
  for (struct cell_node **p = &cells; *p != NULL;) {
    if ((*p)->cell == keep) {
      p = &(*p)->next;
    } else {
      struct cell_node *gone = *p;
      *p = gone->next;
      free(gone);
    }
  }
  // Single-threaded here, and the arena's child handler has run (native/fork.c's order).
  bool wrapped = wraps_next();
  if (wrapped) (void)vgr_arena_expire_all();
  advance();
  if (wrapped) (void)vgr_arena_expire_all();
  ticking = false;
  if (wanted) (void)start_ticker();
}
