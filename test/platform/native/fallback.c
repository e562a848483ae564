// The arena on a kernel without MAP_DROPPABLE (before 6.11), simulated by interposing mmap():
// this executable's mmap() fails with EINVAL for the map type 0x08, as old kernels do, and maps
// everything else through the raw syscall. Checks that the arena falls back to private memory
// with MADV_WIPEONFORK and MADV_DONTDUMP, says it is not droppable, and that a fork child still
// sees a state as zero. Built and run by test/platform/native.test.ts.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"

static int rejected;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  if ((flags & 0x0f) == MAP_DROPPABLE) {
    rejected++;
    errno = EINVAL;
    return MAP_FAILED;
  }
  return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

// The VmFlags of the smaps entry holding addr.
static int vmflags(uintptr_t addr, char *out, size_t n) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[1024];
  int in = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char dash;
    if (sscanf(line, "%lx%c%lx ", &lo, &dash, &hi) == 3 && dash == '-') in = lo <= addr && addr < hi;
    else if (in && strncmp(line, "VmFlags:", 8) == 0) {
      snprintf(out, n, "%.*s", (int)(n - 1), line + 8);
      fclose(f);
      return 1;
    }
  }
  if (f) fclose(f);
  return 0;
}

int main(void) {
  uint64_t ticket;
  unsigned char *state = vgr_arena_alloc((const void *)1, &ticket);
  if (state == NULL) return perror("vgr_arena_alloc"), 1;
  memset(state, 0xab, vgr_setup()->params.size_of_opaque_state);
  char flags[256] = "";
  vmflags((uintptr_t)state, flags, sizeof flags);
  int pipefd[2];
  if (pipe(pipefd) != 0) return 1;
  pid_t pid = fork();
  if (pid == 0) {
    char z = state[0] == 0 && state[143] == 0 ? 'Z' : 'N';
    _exit(write(pipefd[1], &z, 1) == 1 ? 0 : 1);
  }
  char verdict = '?';
  if (read(pipefd[0], &verdict, 1) != 1) return 1;
  waitpid(pid, NULL, 0);
  int droppable = vgr_arena_droppable();
  flags[strcspn(flags, "\n")] = 0;
  printf("rejected=%d droppable=%d child=%c parent=%d vmflags=%s\n", rejected, droppable, verdict, state[0] == 0xab, flags);
  // Once rejected, later pages go straight to the fallback: map a second page.
  for (int i = 0; i < 40; i++) vgr_arena_alloc((const void *)1, &ticket);
  return rejected == 1 && droppable == 0 && verdict == 'Z' && state[0] == 0xab && strstr(flags, " wf") && strstr(flags, " dd") &&
                 !strstr(flags, " dp")
             ? 0
             : 1;
}
