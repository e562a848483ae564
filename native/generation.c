// The process-wide generation and the ticker that moves it on every key interval.
//
// A key is tied to the generation it was fetched in; the generator rekeys when the generation
// it reads differs from the state's. The kernel bumps its generation on every CRNG reseed, at
// most every 60 s; here a thread does the same on a fixed period, and reseed() bumps it at
// once. Every JS thread gets a cell of its own (an env cannot safely share one external
// ArrayBuffer's memory with another), and every change is published into every cell.
//
// Invariants:
// - The generation is never 0 and neither is its low word. A state that was zeroed (a dropped
//   page, a fork child) holds generation 0, so it never matches and always rekeys. Because the
//   low word alone is never 0, a reader that sees the two words from two different moments (a
//   publish in between) still never reads 0, so it never mistakes a zeroed state for a valid one.
// - A key expires at most TICK_NS + (the ticker's wake-up latency) after it was fetched: it was
//   fetched after the generation it belongs to began, and the next tick ends that generation.
//   TICK_NS is a second under the kernel's 60 s so that a late wake-up still stays within it.
//   VGETRANDOM_TICK_MS in the environment may shorten the period (tests watch keys expire), never
//   lengthen it.

#include "generation.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

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

struct cell_node {
  uint32_t *cell;
  struct cell_node *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t generation = 1;
static struct cell_node *cells;
static bool ticking;

// Called with `lock` held. High word first: a reader sees a new low word only with its high word.
static void publish(uint32_t *cell, uint64_t g) {
  __atomic_store_n(&cell[1], (uint32_t)(g >> 32), __ATOMIC_RELEASE);
  __atomic_store_n(&cell[0], (uint32_t)g, __ATOMIC_RELEASE);
}

uint64_t vgr_generation_bump(void) {
  pthread_mutex_lock(&lock);
  generation++;
  if ((uint32_t)generation == 0) generation++;  // the low word is never 0 (see above)
  for (struct cell_node *n = cells; n != NULL; n = n->next) publish(n->cell, generation);
  uint64_t g = generation;
  pthread_mutex_unlock(&lock);
  return g;
}

uint64_t vgr_generation_now(void) {
  pthread_mutex_lock(&lock);
  uint64_t g = generation;
  pthread_mutex_unlock(&lock);
  return g;
}

// Sleeps to absolute deadlines, so the period does not drift with the time each bump takes, on
// CLOCK_BOOTTIME, which counts time suspended: a key fetched before a suspend expires on resume.
static void *ticker(void *arg) {
  (void)arg;
  const long long period = tick_ns();
  struct timespec next;
  clock_gettime(CLOCK_BOOTTIME, &next);
  for (;;) {
    long long ns = next.tv_nsec + period;
    next.tv_sec += ns / 1000000000LL;
    next.tv_nsec = ns % 1000000000LL;
    while (clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
    vgr_generation_bump();
  }
  return NULL;
}

int vgr_generation_register(uint32_t cell[2]) {
  struct cell_node *node = malloc(sizeof *node);
  if (node == NULL) return -ENOMEM;
  pthread_mutex_lock(&lock);
  if (!ticking) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&thread, &attr, ticker, NULL);
    pthread_attr_destroy(&attr);
    if (r != 0) {
      pthread_mutex_unlock(&lock);
      free(node);
      return -r;
    }
    ticking = true;
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
