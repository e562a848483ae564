// Finding the kernel's CRNG generation, and keeping track of it.
//
// The kernel publishes `struct vdso_rng_data { u64 generation; u8 is_ready; }` in a read-only
// page of the [vvar] mapping, which its vDSO getrandom() reads on every call. Where it lives
// differs across kernels and architectures (6.11 and 6.12 kept it inside the first vvar page on
// x86-64; 6.13+ give it a page of its own, page 2 of [vvar] on 6.18), and some vvar pages raise
// SIGBUS when read. So nothing here is hard-coded. The search:
//   1. a probe state (a zeroed 144-byte state of our own) is handed to the vDSO, which writes the
//      kernel's current generation G into its bytes 128..135 before it fetches a key: G is what
//      the vDSO itself read;
//   2. each page of every [vvar…] mapping is copied through a pipe: the kernel copies it for us,
//      so a page that would raise SIGBUS fails the write with EFAULT instead of killing us, and
//      no unreadable page is ever touched directly;
//   3. a candidate is a u64 equal to G at an 8-aligned offset, followed by is_ready = 1 and the
//      struct's seven zero padding bytes. Exactly one candidate in all pages, and G read the same
//      by a second probe after the scan (no reseed during it), or no mapping: polled mode;
//   4. the candidate is then read directly and must still say G, and is_ready.
// The ticker re-checks the mapping against a fresh probe on every tick (vgr_kernel_recheck):
// a disagreement switches to polled mode for good, never to a wrong answer
// (VGETRANDOM_KERNEL_RECHECK_FAIL=1 makes every re-check disagree, for the tests).
//
// Polled mode: every VGR_KERNEL_POLL_NS the ticker hands its probe state to the vDSO (one byte,
// about 12 ns when nothing moved) and reads the generation the vDSO left in it. None: no vDSO
// getrandom, or a state size we do not know the layout of.
//
// Invariants:
// - No page of [vvar] is read directly unless the pipe copy of it succeeded and held the
//   unique candidate.
// - The probe states hold vDSO output that nobody reads; they live in droppable memory (never
//   swapped, not in a core dump, wiped in a fork child) and every byte drawn is wiped at once.

#include "kernelgen.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/random.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

// The size of lib/vdso/getrandom.c's state whose layout this file knows (the generation at
// VGR_STATE_GENERATION_OFFSET).
#define STATE_SIZE 144

// sizeof(struct vdso_rng_data): the u64, is_ready, seven bytes of padding.
#define RNG_DATA_SIZE 16

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int mode = VGR_KERNEL_NONE;     // enum vgr_kernel_mode, read with __atomic_load_n
static const uint64_t *rng_generation;  // mapped mode: the kernel's u64
static const uint32_t *rng_low_word;    // mapped mode: its least significant 32-bit word
static unsigned char *ticker_probe;     // the ticker thread's probe state
static uint64_t polled_last;            // polled mode: the generation the ticker saw last
static bool recheck_fails;              // VGETRANDOM_KERNEL_RECHECK_FAIL=1: tests of the switch

// The kernel's generation as the vDSO reads it, left in `state` by one 1-byte draw; 0 when the
// vDSO could not tell (the CRNG is not ready: the vDSO then falls back without touching state).
static uint64_t probe(unsigned char *state) {
  const struct vgr_setup *s = vgr_setup();
  unsigned char byte;
  // GRND_NONBLOCK: before the CRNG is ready this must not block the caller (the first JS thread,
  // or the ticker); the answer is then 0, unknown, and polling tries again.
  ssize_t r = s->vdso_getrandom(&byte, 1, GRND_NONBLOCK, state, s->params.size_of_opaque_state);
  explicit_bzero(&byte, sizeof byte);
  if (r != 1) return 0;
  uint64_t g;
  memcpy(&g, state + VGR_STATE_GENERATION_OFFSET, sizeof g);
  return g;
}

// True if `rng` (a copy of RNG_DATA_SIZE bytes) is a vdso_rng_data that says generation `g`.
static bool is_rng_data(const unsigned char *rng, uint64_t g) {
  uint64_t v;
  memcpy(&v, rng, sizeof v);
  if (v != g || rng[8] != 1) return false;
  for (int i = 9; i < RNG_DATA_SIZE; i++)
    if (rng[i] != 0) return false;
  return true;
}

// Steps 2 and 3: the one address in [vvar…] that holds a vdso_rng_data saying `g`, or NULL
// (none, or more than one).
static const unsigned char *find_rng_data(uint64_t g) {
  size_t page_size = vgr_setup()->page_size;
  FILE *maps = fopen("/proc/self/maps", "re");
  if (maps == NULL) return NULL;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    fclose(maps);
    return NULL;
  }
  unsigned char *copy = malloc(page_size);
  const unsigned char *found = NULL;
  int matches = 0;
  char line[512];
  while (copy != NULL && fgets(line, sizeof line, maps) != NULL) {
    // The pathname field: the kernel's special mappings are named in brackets, and no file's
    // path starts with one ("/tmp/[vvar]" starts with '/'; a memfd with "/memfd:").
    uintptr_t start, end;
    int path = -1;
    if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %n", &start, &end, &path) != 2 || path < 0) continue;
    if (strncmp(line + path, "[vvar", 5) != 0) continue;
    for (uintptr_t page = start; page < end; page += page_size) {
      // The kernel copies the page into the pipe: EFAULT, not SIGBUS, for a page we may not read.
      ssize_t w = write(pipefd[1], (const void *)page, page_size);
      if (w < 0) continue;
      if (w != (ssize_t)page_size || read(pipefd[0], copy, page_size) != (ssize_t)page_size) {
        matches = 2;  // part of a page, or the pipe out of step: trust nothing
        break;
      }
      for (size_t off = 0; off + RNG_DATA_SIZE <= page_size; off += 8) {
        if (is_rng_data(copy + off, g)) {
          matches++;
          found = (const unsigned char *)(page + off);
        }
      }
    }
  }
  free(copy);
  close(pipefd[0]);
  close(pipefd[1]);
  fclose(maps);
  return matches == 1 ? found : NULL;
}

static void set_mode(int m) { __atomic_store_n(&mode, m, __ATOMIC_RELEASE); }

static void do_setup(void) {
  const struct vgr_setup *s = vgr_setup();
  if (s->vdso_getrandom == NULL || s->params.size_of_opaque_state != STATE_SIZE) return;  // none
  ticker_probe = vgr_map_state_page();
  unsigned char *probe_state = vgr_map_state_page();
  if (ticker_probe == NULL || probe_state == NULL) {
    if (ticker_probe != NULL) munmap(ticker_probe, s->page_size);
    if (probe_state != NULL) munmap(probe_state, s->page_size);
    ticker_probe = NULL;
    return;  // none: nothing to probe with
  }
  set_mode(VGR_KERNEL_POLLED);
  polled_last = probe(ticker_probe);
  const char *fail = getenv("VGETRANDOM_KERNEL_RECHECK_FAIL");
  recheck_fails = fail != NULL && strcmp(fail, "1") == 0;
  const char *forced = getenv("VGETRANDOM_KERNEL_GENERATION");
  if (forced == NULL || strcmp(forced, "poll") != 0) {
    // Steps 1 to 4, a few times over if a reseed lands in the middle of one.
    for (int attempt = 0; attempt < 3; attempt++) {
      explicit_bzero(probe_state, STATE_SIZE);
      uint64_t g = probe(probe_state);
      if (g == 0) break;  // the CRNG is not ready: nothing to match
      const unsigned char *rng = find_rng_data(g);
      explicit_bzero(probe_state, STATE_SIZE);
      if (probe(probe_state) != g) continue;
      if (rng == NULL) break;
      const volatile uint64_t *direct = (const volatile uint64_t *)rng;
      if (*direct != g || ((const volatile unsigned char *)rng)[8] != 1) continue;
      rng_generation = (const uint64_t *)rng;
      // The word that changes with every increment. The kernel stores an unsigned long there:
      // on a 32-bit machine it fills the first four bytes whatever the byte order; on a 64-bit
      // one the low word is the first on little-endian, the second on big-endian.
      const uint16_t endian = 1;
      bool little = *(const unsigned char *)&endian == 1;
      rng_low_word = (const uint32_t *)(rng + (sizeof(unsigned long) == 4 || little ? 0 : 4));
      set_mode(VGR_KERNEL_MAPPED);
      break;
    }
  }
  explicit_bzero(probe_state, STATE_SIZE);
  munmap(probe_state, s->page_size);
}

void vgr_kernel_setup(void) { pthread_once(&once, do_setup); }

enum vgr_kernel_mode vgr_kernel_mode(void) { return (enum vgr_kernel_mode)__atomic_load_n(&mode, __ATOMIC_ACQUIRE); }

const uint32_t *vgr_kernel_word(void) { return rng_low_word; }

bool vgr_kernel_poll(void) {
  if (vgr_kernel_mode() != VGR_KERNEL_POLLED) return false;
  uint64_t g = probe(ticker_probe);
  if (g == 0 || g == polled_last) return false;
  polled_last = g;
  return true;
}

bool vgr_kernel_recheck(void) {
  if (vgr_kernel_mode() != VGR_KERNEL_MAPPED) return false;
  // The mapped word is right if the probe, read between two reads of it, saw what it said at
  // one of them (a reseed may land in between).
  uint64_t before = __atomic_load_n(rng_generation, __ATOMIC_ACQUIRE);
  uint64_t seen = probe(ticker_probe);
  uint64_t after = __atomic_load_n(rng_generation, __ATOMIC_ACQUIRE);
  // The tests' stand-in for a mapping that went wrong: the word says something else.
  if (recheck_fails) before = after = seen + 1;
  // 0: the vDSO could not tell this time (its key fetch failed), which says nothing of the word.
  if (seen == 0 || seen == before || seen == after) return false;
  polled_last = seen;
  set_mode(VGR_KERNEL_POLLED);
  return true;
}

uint64_t vgr_kernel_generation_now(void) {
  if (vgr_setup()->vdso_getrandom == NULL || vgr_setup()->params.size_of_opaque_state != STATE_SIZE) return 0;
  unsigned char *state = vgr_map_state_page();
  if (state == NULL) return 0;
  uint64_t g = probe(state);
  explicit_bzero(state, STATE_SIZE);
  munmap(state, vgr_setup()->page_size);
  return g;
}

int vgr_kernel_reseed(void) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int r = ioctl(fd, RNDRESEEDCRNG) == 0 ? 0 : -errno;
  close(fd);
  return r;
}
