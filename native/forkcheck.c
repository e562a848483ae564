// The fork probe of forkcheck.h. The child of a multithreaded process may, by POSIX, call only
// async-signal-safe functions; glibc's fork() re-initialises malloc before the atfork child
// handlers run, which is what lets the addon's handlers and the addon calls below work there
// (they are exactly what a real fork child of a program using the addon would call). No stdio,
// no exit handlers: the report goes through a pipe and the child _exits.

#include "forkcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "generation.h"

// A cell's two words as one generation. The ticker publishes high word, then low word, so a
// read between them mixes two generations: read until the high word is the same on both sides.
static uint64_t read_cell(const uint32_t cell[2]) {
  uint32_t hi, lo;
  do {
    hi = __atomic_load_n(&cell[1], __ATOMIC_ACQUIRE);
    lo = __atomic_load_n(&cell[0], __ATOMIC_ACQUIRE);
  } while (__atomic_load_n(&cell[1], __ATOMIC_ACQUIRE) != hi);
  return (uint64_t)hi << 32 | lo;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool fresh_slice_ok(void) {
  const int identity = 0;  // an owner no env has: this stack slot
  uint64_t ticket = 0;
  unsigned char *s = vgr_arena_alloc(&identity, &ticket);
  if (s == NULL) return false;
  unsigned char any = 0;
  for (size_t i = 0; i < vgr_setup()->stride; i++) any |= s[i];
  return vgr_arena_release(s, &identity, ticket) == VGR_OK && any == 0;
}

static void child_main(int fd, const void *owner, const uint32_t cell[2], uint32_t wait_ms, uint32_t min_ticks) {
  struct vgr_fork_check_child c;
  memset(&c, 0, sizeof c);
  c.generation_at_fork = read_cell(cell);
  c.now_at_fork = vgr_generation_now();
  struct vgr_arena_stats st;
  vgr_arena_stats(&st);
  c.states_in_use = st.in_use;
  c.states_held = vgr_arena_held_count(owner);
  c.cells = vgr_generation_cell_count();
  c.dropper_was_running = vgr_dropper_stop(NULL) >= 0;
  c.alloc_ok = fresh_slice_ok();
  const int64_t start = now_ms();
  const struct timespec pause = {0, 1000000};
  for (;;) {
    c.generation_later = read_cell(cell);
    int64_t waited = now_ms() - start;
    c.waited_ms = (uint32_t)waited;
    if (min_ticks > 0 && c.generation_later - c.generation_at_fork >= min_ticks) break;
    if (waited >= (int64_t)wait_ms) break;
    nanosleep(&pause, NULL);
  }
  const char *p = (const char *)&c;
  size_t left = sizeof c;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(1);
    p += w;
    left -= (size_t)w;
  }
  _exit(0);
}

int vgr_fork_check(const void *owner, const uint32_t cell[2], uint32_t wait_ms, uint32_t min_ticks, uint32_t timeout_ms,
                   struct vgr_fork_check *out) {
  memset(out, 0, sizeof *out);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -errno;
  struct vgr_arena_stats st;
  vgr_arena_stats(&st);
  out->parent_generation = read_cell(cell);
  out->parent_states_in_use = st.in_use;
  out->parent_states_held = vgr_arena_held_count(owner);
  out->parent_cells = vgr_generation_cell_count();

  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], owner, cell, wait_ms, min_ticks);
  }
  int fork_errno = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return -fork_errno;
  }

  const int64_t deadline = now_ms() + (int64_t)wait_ms + (int64_t)timeout_ms;
  char *p = (char *)&out->child;
  size_t left = sizeof out->child;
  int r = 0;
  while (left > 0 && r == 0) {
    int64_t remaining = deadline - now_ms();
    if (remaining <= 0) {
      r = -ETIMEDOUT;
      break;
    }
    struct pollfd pfd = {fds[0], POLLIN, 0};
    int n = poll(&pfd, 1, remaining > 60000 ? 60000 : (int)remaining);
    if (n < 0 && errno != EINTR) r = -errno;
    if (n <= 0) continue;
    ssize_t got = read(fds[0], p, left);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) r = -EPROTO;  // EOF (or a read error) before the whole report
    else {
      p += got;
      left -= (size_t)got;
    }
  }
  close(fds[0]);
  if (r == -ETIMEDOUT) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) r = -EPROTO;
  return r;
}
