// The vgetrandom Node-API addon: real MAP_DROPPABLE pages for the generator's states, the
// getrandom(2) syscall path, the kernel's own vDSO generator for comparison, and the tools the
// tests and the demo need to drop pages and fork on purpose. C and Node-API only.
//
// Threads and envs. Every JS thread (the main thread, each worker_thread) has its own napi_env
// and loads this addon into it once; the shared object itself is loaded once per process. So:
//   - process-wide things are statics (arena.c: the page allocator under its mutex; vdso.c: the
//     vDSO lookup, done once);
//   - per-thread things hang off the env (struct env_data, napi_set_instance_data): the thread's
//     kernel vDSO state and the identity under which it holds slices. When the env is torn down
//     (the worker exits) its cleanup hook zeroes and returns every slice it still holds;
//   - fork(2) is handled by native/fork.c's atfork handlers, which need to know the env of the
//     forking thread: each env names itself to fork.c on its own thread when it loads the addon.
//
// JS never gets a pointer: a state reaches JS only as an external ArrayBuffer over exactly its
// own 144 bytes (not over the page), so JS code holding one slice cannot read or write another
// thread's state, and freeState() can detach that one buffer without touching the other slices'
// views. Page addresses are reported as numbers (user addresses fit in 2^53) for inspection and
// for pageout(); they are looked up in the arena, never dereferenced as given. The one other
// buffer over memory of the process is kernelGenerationCell(): 4 bytes of the kernel's read-only
// rng data page (native/kernelgen.c), which a write from JS cannot change (it faults).
//
// Argument errors are thrown into JS (TypeError / RangeError with Node's codes), never
// asserted: a wrong call must not take the process down.

#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "chacha20.h"
#include "fork.h"
#include "forkcheck.h"
#include "generation.h"
#include "kernelgen.h"

// --- per-env data ----------------------------------------------------------------------------

struct env_data {
  // This thread's state for the kernel's vDSO getrandom(), from the shared arena like every
  // other state, allocated at first vdsoGetrandom(). The vDSO requires one state per thread:
  // two threads using one state at once would hand out the same batch bytes.
  void *vdso_state;
  // This thread's copy of the process-wide generation ({low, high}), which generation.c keeps
  // current once registered; JS reads it through an external ArrayBuffer (generationCell()).
  // Lives as long as the env, which outlives every JS read of it.
  uint32_t generation[2] __attribute__((aligned(8)));
  bool generation_registered;
};

// The finalize hint of a slice's ArrayBuffer. The ticket identifies the allocation: by the time
// a finalizer runs the slice may have been freed (freeState, env teardown) and handed to
// another thread, which the ticket tells apart. The owner is an identity only: the env_data
// may be gone when a late finalizer runs, so it is never dereferenced here.
struct slice_ref {
  void *state;
  uint64_t ticket;
  const void *owner;
};

// --- errors ----------------------------------------------------------------------------------

// libuv's names and messages for the errnos these calls can see, so that errors read like
// Node's own system errors (`EINVAL: invalid argument, getrandom`).
static void errno_words(int err, const char **code, const char **text) {
  switch (err) {
    case EINVAL: *code = "EINVAL"; *text = "invalid argument"; return;
    case EAGAIN: *code = "EAGAIN"; *text = "resource temporarily unavailable"; return;
    case EINTR: *code = "EINTR"; *text = "interrupted system call"; return;
    case EFAULT: *code = "EFAULT"; *text = "bad address in system call argument"; return;
    case ENOMEM: *code = "ENOMEM"; *text = "not enough memory"; return;
    case ENOSYS: *code = "ENOSYS"; *text = "function not implemented"; return;
    case EPERM: *code = "EPERM"; *text = "operation not permitted"; return;
    case EBUSY: *code = "EBUSY"; *text = "resource busy or locked"; return;
    case EIO: *code = "EIO"; *text = "i/o error"; return;
    default: *code = "UNKNOWN"; *text = "unknown error"; return;
  }
}

// Throws an Error with Node's system-error shape: message `CODE: text, syscall`, and `code`,
// `errno` (negative, as libuv reports it) and `syscall` properties.
static void throw_system_error(napi_env env, int err, const char *syscall_name) {
  const char *code, *text;
  errno_words(err, &code, &text);
  char msg[192];
  snprintf(msg, sizeof msg, "%s: %s, %s", code, text, syscall_name);
  napi_value code_v, msg_v, error, errno_v, syscall_v;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_v) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msg_v) != napi_ok ||
      napi_create_error(env, code_v, msg_v, &error) != napi_ok ||
      napi_create_int32(env, -err, &errno_v) != napi_ok ||
      napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &syscall_v) != napi_ok ||
      napi_set_named_property(env, error, "errno", errno_v) != napi_ok ||
      napi_set_named_property(env, error, "syscall", syscall_v) != napi_ok) {
    napi_throw_error(env, code, msg);
    return;
  }
  napi_throw(env, error);
}

// A Node-API call failed: rethrow the pending exception, or throw one naming the call.
static void throw_napi_failure(napi_env env, const char *call) {
  const napi_extended_error_info *info = NULL;
  char msg[256];
  // Read the error info first: any further napi call overwrites it.
  napi_get_last_error_info(env, &info);
  snprintf(msg, sizeof msg, "vgetrandom: %s failed: %s", call,
           info != NULL && info->error_message != NULL ? info->error_message : "unknown error");
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_VGETRANDOM_NAPI", msg);
}

// --- the macros every binding is written with --------------------------------------------------

#define VGR_FUNCTION(name) static napi_value name(napi_env env, napi_callback_info info)

// Evaluates a Node-API call; on failure throws and returns from the binding.
#define VGR_CALL(call)                  \
  do {                                  \
    if ((call) != napi_ok) {            \
      throw_napi_failure(env, #call);   \
      return NULL;                      \
    }                                   \
  } while (0)

// Returns from the binding (an exception is pending) unless `ok`.
#define VGR_TRY(ok) \
  do {              \
    if (!(ok)) return NULL; \
  } while (0)

// argv[0..n-1]; missing arguments read as undefined.
#define VGR_ARGV(n)        \
  napi_value argv[n];      \
  size_t argc = n;         \
  VGR_CALL(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

#define VGR_ENV_DATA(d)        \
  struct env_data *d = NULL;   \
  VGR_CALL(napi_get_instance_data(env, (void **)&d))

// The bytes of an ArrayBuffer or a Uint8Array (a Buffer is one): what the JS side passes.
#define VGR_ARG_BYTES(i, name, ptr, len) \
  void *ptr = NULL;                      \
  size_t len = 0;                        \
  VGR_TRY(arg_bytes(env, argv[i], name, &ptr, &len))

// An integer in [0, 2^32); `dflt` when undefined (optional form).
#define VGR_ARG_UINT32(i, name, var) \
  uint32_t var = 0;                  \
  VGR_TRY(arg_uint32(env, argv[i], name, &var, false, 0))
#define VGR_ARG_OPT_UINT32(i, name, var, dflt) \
  uint32_t var = 0;                            \
  VGR_TRY(arg_uint32(env, argv[i], name, &var, true, dflt))

// An integer in [0, 2^53): any JS number that is a non-negative safe integer.
#define VGR_ARG_UINT53(i, name, var) \
  uint64_t var = 0;                  \
  VGR_TRY(arg_uint53(env, argv[i], name, &var))

#define VGR_EXPORT(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

// --- argument helpers --------------------------------------------------------------------------

static bool throw_arg_type(napi_env env, const char *name, const char *expected) {
  char msg[192];
  snprintf(msg, sizeof msg, "The \"%s\" argument must be %s.", name, expected);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return false;
}

static bool throw_range(napi_env env, const char *name, const char *range) {
  char msg[192];
  snprintf(msg, sizeof msg, "The value of \"%s\" is out of range. It must be %s.", name, range);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return false;
}

// An ArrayBuffer's bytes, or a Uint8Array's (a Buffer is one). Nothing else: the JS side passes
// only these, and the length of any other view would have to be computed from its element size,
// which for a type this file does not know (Float16Array since Node 24, anything newer) it
// cannot be, so a wrong guess would write past the view. Other TypedArrays and DataViews are a
// TypeError, before anything is written.
static bool arg_bytes(napi_env env, napi_value v, const char *name, void **data, size_t *len) {
  *data = NULL;
  *len = 0;
  bool is = false;
  if (napi_is_arraybuffer(env, v, &is) != napi_ok) return throw_napi_failure(env, "napi_is_arraybuffer"), false;
  if (is) {
    return napi_get_arraybuffer_info(env, v, data, len) == napi_ok || (throw_napi_failure(env, "napi_get_arraybuffer_info"), false);
  }
  if (napi_is_typedarray(env, v, &is) != napi_ok) return throw_napi_failure(env, "napi_is_typedarray"), false;
  if (is) {
    napi_typedarray_type type = napi_int8_array;  // anything but napi_uint8_array until read
    size_t n = 0;
    void *p = NULL;
    if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok) {
      throw_napi_failure(env, "napi_get_typedarray_info");
      return false;
    }
    if (type == napi_uint8_array) {
      *data = p;
      *len = n;  // one byte per element
      return true;
    }
  }
  return throw_arg_type(env, name, "an instance of ArrayBuffer or Uint8Array");
}

static bool arg_uint32(napi_env env, napi_value v, const char *name, uint32_t *out, bool optional, uint32_t dflt) {
  *out = 0;
  napi_valuetype t = napi_undefined;
  if (napi_typeof(env, v, &t) != napi_ok) return throw_napi_failure(env, "napi_typeof"), false;
  if (optional && t == napi_undefined) {
    *out = dflt;
    return true;
  }
  if (t != napi_number) return throw_arg_type(env, name, "of type number");
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) return throw_napi_failure(env, "napi_get_value_double"), false;
  // Not napi_get_value_uint32, which wraps and truncates: 2^32 + 1 or 1.5 would pass as flags.
  if (!(d >= 0 && d <= 4294967295.0 && d == (double)(uint32_t)d)) return throw_range(env, name, "an integer >= 0 && <= 4294967295");
  *out = (uint32_t)d;
  return true;
}

static bool arg_uint53(napi_env env, napi_value v, const char *name, uint64_t *out) {
  *out = 0;
  napi_valuetype t = napi_undefined;
  if (napi_typeof(env, v, &t) != napi_ok) return throw_napi_failure(env, "napi_typeof"), false;
  if (t != napi_number) return throw_arg_type(env, name, "of type number");
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) return throw_napi_failure(env, "napi_get_value_double"), false;
  // Range first: the cast is defined only for values that fit.
  if (!(d >= 0 && d <= 9007199254740991.0 && d == (double)(uint64_t)d)) return throw_range(env, name, "an integer >= 0 && <= 9007199254740991");
  *out = (uint64_t)d;
  return true;
}

// --- result helpers ----------------------------------------------------------------------------

static napi_value num(napi_env env, double x) {
  napi_value v = NULL;
  if (napi_create_double(env, x, &v) != napi_ok) throw_napi_failure(env, "napi_create_double");
  return v;
}

static bool set_num(napi_env env, napi_value obj, const char *key, double x) {
  napi_value v = num(env, x);
  return v != NULL && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static bool set_bool(napi_env env, napi_value obj, const char *key, bool b) {
  napi_value v;
  return napi_get_boolean(env, b, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

static bool set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  if (s == NULL) {
    if (napi_get_null(env, &v) != napi_ok) return false;
  } else if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) {
    return false;
  }
  return napi_set_named_property(env, obj, key, v) == napi_ok;
}

#define VGR_SET(call)                           \
  do {                                          \
    if (!(call)) {                              \
      throw_napi_failure(env, #call);           \
      return NULL;                              \
    }                                           \
  } while (0)

// --- the syscall path and the vDSO -------------------------------------------------------------

// getrandom(2) through syscall(2), not glibc's getrandom(): since glibc 2.41 that one may itself
// run the vDSO generator, and this is the path the generator falls back to and is measured
// against. Loops on short reads (large requests are interrupted by signals, and one call
// returns at most MAX_RW_COUNT) and on EINTR. Returns the count, or -errno; an error after
// partial progress is still an error: the caller must not take a half-filled buffer for a full
// one. A zero length still makes one call, so bad flags fail as the syscall would.
static ssize_t fill_syscall(unsigned char *p, size_t len, unsigned flags) {
  size_t done = 0;
  do {
    long r = syscall(SYS_getrandom, p + done, len - done, flags);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0 && done < len) return -EIO;  // cannot happen; never spin on it
    done += (size_t)r;
  } while (done < len);
  return (ssize_t)done;
}

// The kernel's vDSO generator over this thread's state; same contract as fill_syscall. The vDSO
// returns -errno itself (it has no errno to set), including from its own syscall fallback.
static ssize_t fill_vdso(unsigned char *p, size_t len, unsigned flags, void *state) {
  const struct vgr_setup *s = vgr_setup();
  size_t done = 0;
  do {
    ssize_t r = s->vdso_getrandom(p + done, len - done, flags, state, s->params.size_of_opaque_state);
    if (r < 0) {
      if (r == -EINTR) continue;
      return r;
    }
    if (r == 0 && done < len) return -EIO;
    done += (size_t)r;
  } while (done < len);
  return (ssize_t)done;
}

// This thread's vDSO state, allocated at first use; NULL with an exception thrown if there is
// no vDSO getrandom or no memory.
static void *vdso_state(napi_env env, struct env_data *d) {
  if (vgr_setup()->vdso_getrandom == NULL) {
    napi_throw_error(env, "ENOSYS", "ENOSYS: this kernel's vDSO has no getrandom() (Linux 6.11+), vdso getrandom");
    return NULL;
  }
  if (d->vdso_state == NULL) {
    uint64_t ticket;
    d->vdso_state = vgr_arena_alloc(d, &ticket);
    if (d->vdso_state == NULL) throw_system_error(env, errno, "mmap");
  }
  return d->vdso_state;
}

// --- bindings ----------------------------------------------------------------------------------

// A slice's ArrayBuffer was collected (or its env is going): if the slice still belongs to that
// allocation, nothing can reach it any more, so it goes back to the arena. Runs on the env's
// thread; touches only the arena (under its lock) and the hint.
static void finalize_slice(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  struct slice_ref *ref = hint;
  vgr_arena_release(ref->state, ref->owner, ref->ticket);
  free(ref);
}

// allocState(): { buffer, pageAddr, offset }
VGR_FUNCTION(alloc_state) {
  (void)info;
  VGR_ENV_DATA(d);
  const struct vgr_setup *s = vgr_setup();
  // A fork child whose atfork handler could not start the ticker again starts it here: a new
  // state's key must expire like any other (invariant 5).
  int tr = vgr_generation_ensure_ticker();
  if (tr < 0) return throw_system_error(env, -tr, "pthread_create"), NULL;
  struct slice_ref *ref = malloc(sizeof *ref);
  if (ref == NULL) return throw_system_error(env, ENOMEM, "malloc"), NULL;
  ref->owner = d;
  ref->state = vgr_arena_alloc(d, &ref->ticket);
  if (ref->state == NULL) {
    int e = errno;
    free(ref);
    return throw_system_error(env, e, "mmap"), NULL;
  }
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, ref->state, s->params.size_of_opaque_state, finalize_slice, ref, &buffer) != napi_ok) {
    // Node may still call finalize_slice for a buffer it failed to finish (it does for some
    // failures), so neither `ref` nor the slice is freed here: at worst the slice stays held
    // by this env until its teardown, and 24 bytes leak. Never a double free.
    throw_napi_failure(env, "napi_create_external_arraybuffer");
    return NULL;
  }
  uintptr_t addr = (uintptr_t)ref->state, page = addr & ~(uintptr_t)(s->page_size - 1);
  napi_value result;
  VGR_CALL(napi_create_object(env, &result));
  VGR_CALL(napi_set_named_property(env, result, "buffer", buffer));
  VGR_SET(set_num(env, result, "pageAddr", (double)page));
  VGR_SET(set_num(env, result, "offset", (double)(addr - page)));
  return result;
}

// freeState(buffer): zeroes the slice, returns it to the arena, detaches `buffer`.
VGR_FUNCTION(free_state) {
  VGR_ARGV(1);
  VGR_ENV_DATA(d);
  bool is_ab = false;
  VGR_CALL(napi_is_arraybuffer(env, argv[0], &is_ab));
  if (!is_ab) return throw_arg_type(env, "buffer", "an ArrayBuffer returned by allocState()"), NULL;
  void *state = NULL;
  size_t len = 0;
  VGR_CALL(napi_get_arraybuffer_info(env, argv[0], &state, &len));
  if (state == NULL || len == 0) {
    // Detached: freed already. Throwing (rather than ignoring) catches double frees in JS.
    napi_throw_error(env, "ERR_INVALID_STATE", "Invalid state: this state slice was already freed");
    return NULL;
  }
  switch (len == vgr_setup()->params.size_of_opaque_state ? vgr_arena_held(state, d) : VGR_NOT_A_SLICE) {
    case VGR_OK: break;
    case VGR_NOT_HELD:
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "this state slice is not held by this thread");
      return NULL;
    default:
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "not a state slice from allocState()");
      return NULL;
  }
  // Detach before the slice is wiped and reused: afterwards every view of this buffer has
  // length 0, so no JS code can read the next holder's state or write into it. Only this
  // thread can free a slice it holds, and no JS runs in between, so the check above still holds.
  VGR_CALL(napi_detach_arraybuffer(env, argv[0]));
  vgr_arena_release(state, d, 0);
  return NULL;
}

// arenaStats(): { pages, statesInUse, statesFree } for the whole process.
VGR_FUNCTION(arena_stats) {
  (void)info;
  struct vgr_arena_stats st;
  vgr_arena_stats(&st);
  napi_value result;
  VGR_CALL(napi_create_object(env, &result));
  VGR_SET(set_num(env, result, "pages", (double)st.pages));
  VGR_SET(set_num(env, result, "statesInUse", (double)st.in_use));
  VGR_SET(set_num(env, result, "statesFree", (double)st.free));
  return result;
}

// getrandom(buffer, flags = 0): the syscall path; returns the byte count.
VGR_FUNCTION(js_getrandom) {
  VGR_ARGV(2);
  VGR_ARG_BYTES(0, "buffer", buf, len);
  VGR_ARG_OPT_UINT32(1, "flags", flags, 0);
  ssize_t r = fill_syscall(buf, len, flags);
  if (r < 0) return throw_system_error(env, (int)-r, "getrandom"), NULL;
  return num(env, (double)r);
}

// vdsoGetrandom(buffer, flags = 0): the kernel's vDSO generator; returns the byte count.
VGR_FUNCTION(vdso_getrandom) {
  VGR_ARGV(2);
  VGR_ENV_DATA(d);
  VGR_ARG_BYTES(0, "buffer", buf, len);
  VGR_ARG_OPT_UINT32(1, "flags", flags, 0);
  void *state = vdso_state(env, d);
  VGR_TRY(state != NULL);
  ssize_t r = fill_vdso(buf, len, flags, state);
  if (r < 0) return throw_system_error(env, (int)-r, "getrandom"), NULL;
  return num(env, (double)r);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

// vdsoBench(bytesPerCall, calls, which): ns per call of a C loop over 'vdso' or 'syscall'.
VGR_FUNCTION(vdso_bench) {
  VGR_ARGV(3);
  VGR_ENV_DATA(d);
  VGR_ARG_UINT32(0, "bytesPerCall", bytes);
  VGR_ARG_UINT32(1, "calls", calls);
  if (bytes == 0 || bytes > (1u << 20)) return throw_range(env, "bytesPerCall", ">= 1 && <= 1048576"), NULL;
  if (calls == 0) return throw_range(env, "calls", ">= 1 && <= 4294967295"), NULL;
  napi_valuetype t;
  VGR_CALL(napi_typeof(env, argv[2], &t));
  if (t != napi_string) return throw_arg_type(env, "which", "of type string"), NULL;
  char which[16];
  size_t n = 0;
  VGR_CALL(napi_get_value_string_utf8(env, argv[2], which, sizeof which, &n));
  bool vdso = strcmp(which, "vdso") == 0;
  if (!vdso && strcmp(which, "syscall") != 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "The argument 'which' must be 'vdso' or 'syscall'.");
    return NULL;
  }
  void *state = NULL;
  if (vdso) VGR_TRY((state = vdso_state(env, d)) != NULL);
  unsigned char *buf = malloc(bytes);
  if (buf == NULL) return throw_system_error(env, ENOMEM, "malloc"), NULL;
  // One untimed call: the first vDSO call on a fresh state fetches a key by syscall.
  ssize_t r = vdso ? fill_vdso(buf, bytes, 0, state) : fill_syscall(buf, bytes, 0);
  double start = now_ns();
  for (uint32_t i = 0; i < calls && r >= 0; i++) r = vdso ? fill_vdso(buf, bytes, 0, state) : fill_syscall(buf, bytes, 0);
  double elapsed = now_ns() - start;
  vgr_wipe(buf, bytes);
  free(buf);
  if (r < 0) return throw_system_error(env, (int)-r, "getrandom"), NULL;
  return num(env, elapsed / calls);
}

// Throws a RangeError (ERR_OUT_OF_RANGE) for a buffer argument of the wrong length: `want`, "(it is `len`)".
static void throw_length(napi_env env, const char *name, const char *want, size_t len) {
  char range[64];
  snprintf(range, sizeof range, "%s (it is %zu)", want, len);
  throw_range(env, name, range);
}

// True if `nblocks` blocks fit in `out_len` bytes of output; else throws (RangeError) and false.
static bool fits_blocks(napi_env env, uint32_t nblocks, size_t out_len) {
  if (nblocks <= out_len / VGR_CHACHA_BLOCK_SIZE) return true;
  char range[96];
  snprintf(range, sizeof range, "<= %zu (out holds %zu bytes, 64 per block)", out_len / VGR_CHACHA_BLOCK_SIZE, out_len);
  throw_range(env, "nblocks", range);
  return false;
}

// chacha20Blocks(out, key, counter, nblocks): ChaCha20 blocks counter .. counter + nblocks - 1
// of the 32-byte `key` (little-endian words, the state's layout) into out[0 .. nblocks * 64),
// on the core chacha20Core() names. The rest of `out` is left alone; `out` may overlap `key`.
VGR_FUNCTION(chacha20_blocks) {
  VGR_ARGV(4);
  VGR_ARG_BYTES(0, "out", out, out_len);
  VGR_ARG_BYTES(1, "key", key, key_len);
  VGR_ARG_UINT53(2, "counter", counter);
  VGR_ARG_UINT32(3, "nblocks", nblocks);
  if (key_len != VGR_CHACHA_KEY_SIZE) return throw_length(env, "key.byteLength", "32", key_len), NULL;
  if (!fits_blocks(env, nblocks, out_len)) return NULL;
  if (nblocks == 0) return NULL;  // `out` may be empty or detached (NULL)
  if (((uintptr_t)key & 3) == 0) {
    vgr_chacha20_blocks(out, key, counter, nblocks);
  } else {
    // The core takes aligned words: copy (before any output is written, so overlap is fine).
    uint32_t words[8];
    memcpy(words, key, sizeof words);
    vgr_chacha20_blocks(out, words, counter, nblocks);
    vgr_wipe(words, sizeof words);
  }
  return NULL;
}

// chacha20Refill(out, state, counter, nblocks): step 6 of the algorithm in one call (see
// vgr_chacha20_blocks_refill): `nblocks` blocks under the state's key into `out`, then the next
// two over the state's batch and key. `state` is a state's bytes (at least its 128 bytes of
// batch and key); `out` must hold the blocks and must not overlap it.
VGR_FUNCTION(chacha20_refill) {
  VGR_ARGV(4);
  VGR_ARG_BYTES(0, "out", out, out_len);
  VGR_ARG_BYTES(1, "state", state, state_len);
  VGR_ARG_UINT53(2, "counter", counter);
  VGR_ARG_UINT32(3, "nblocks", nblocks);
  if (state == NULL || state_len < 2 * VGR_CHACHA_BLOCK_SIZE) return throw_length(env, "state.byteLength", ">= 128", state_len), NULL;
  if (!fits_blocks(env, nblocks, out_len)) return NULL;
  uintptr_t o = (uintptr_t)out, st = (uintptr_t)state;
  if (nblocks > 0 && o < st + 2 * VGR_CHACHA_BLOCK_SIZE && st < o + (size_t)nblocks * VGR_CHACHA_BLOCK_SIZE) {
    return throw_range(env, "out", "memory apart from the state's"), NULL;
  }
  vgr_chacha20_blocks_refill(out, nblocks, state, counter);
  return NULL;
}

// chacha20Core(): the ChaCha20 core chacha20Blocks() runs on: 'avx512', 'avx2', 'sse' or 'scalar'.
VGR_FUNCTION(chacha20_core) {
  (void)info;
  napi_value v;
  VGR_CALL(napi_create_string_utf8(env, vgr_chacha20_core(), NAPI_AUTO_LENGTH, &v));
  return v;
}

// The VmFlags line of the /proc/self/smaps entry that contains `addr`, into out; false if none.
static bool read_vmflags(uintptr_t addr, char *out, size_t outlen) {
  FILE *f = fopen("/proc/self/smaps", "re");
  if (f == NULL) return false;
  char line[512];
  bool at_line_start = true, in_entry = false, found = false;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    bool starts = at_line_start;
    at_line_start = strchr(line, '\n') != NULL;  // a longer line (a path) continues in the next read
    if (!starts) continue;
    unsigned long lo, hi;
    char dash;
    // An entry header: "lo-hi perms offset dev inode path". Field lines ("Size:", "VmFlags:")
    // never parse as two hex numbers around a dash.
    if (sscanf(line, "%lx%c%lx ", &lo, &dash, &hi) == 3 && dash == '-') {
      in_entry = lo <= addr && addr < hi;
    } else if (in_entry && strncmp(line, "VmFlags:", 8) == 0) {
      const char *p = line + 8;
      while (*p == ' ' || *p == '\t') p++;
      size_t n = strlen(p);
      if (n >= outlen) n = outlen - 1;
      memcpy(out, p, n);
      out[n] = '\0';
      while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) out[--n] = '\0';
      found = true;
    }
  }
  fclose(f);
  return found;
}

static const char *kernel_mode_name(enum vgr_kernel_mode m) {
  return m == VGR_KERNEL_MAPPED ? "mapped" : m == VGR_KERNEL_POLLED ? "polled" : "none";
}

// info(): { droppable, vdso, params, kernel, vmFlags, pageSize, statesPerPage, kernelGeneration }
VGR_FUNCTION(js_info) {
  (void)info;
  const struct vgr_setup *s = vgr_setup();
  // Whether pages are droppable is known once one is mapped, and vmFlags needs a page: map
  // the first one now if no thread has yet.
  uintptr_t first = vgr_arena_first_page();
  if (first == 0) return throw_system_error(env, errno, "mmap"), NULL;
  char vmflags[256];
  bool have_flags = read_vmflags(first, vmflags, sizeof vmflags);
  struct utsname u;
  bool have_uname = uname(&u) == 0;

  napi_value result, params;
  VGR_CALL(napi_create_object(env, &result));
  VGR_CALL(napi_create_object(env, &params));
  VGR_SET(set_bool(env, result, "droppable", vgr_arena_droppable() == 1));
  VGR_SET(set_bool(env, result, "vdso", s->vdso_getrandom != NULL));
  VGR_SET(set_num(env, params, "sizeOfOpaqueState", s->params.size_of_opaque_state));
  VGR_SET(set_num(env, params, "mmapProt", s->params.mmap_prot));
  VGR_SET(set_num(env, params, "mmapFlags", s->params.mmap_flags));
  VGR_CALL(napi_set_named_property(env, result, "params", params));
  VGR_SET(set_str(env, result, "kernel", have_uname ? u.release : NULL));
  VGR_SET(set_str(env, result, "vmFlags", have_flags ? vmflags : NULL));
  VGR_SET(set_num(env, result, "pageSize", (double)s->page_size));
  VGR_SET(set_num(env, result, "statesPerPage", (double)s->per_page));
  vgr_kernel_setup();
  VGR_SET(set_str(env, result, "kernelGeneration", kernel_mode_name(vgr_kernel_mode())));
  return result;
}

// pageout(bufferOrPageAddr): madvise(MADV_PAGEOUT) on one arena page: drops it now.
VGR_FUNCTION(js_pageout) {
  VGR_ARGV(1);
  const struct vgr_setup *s = vgr_setup();
  napi_valuetype t;
  VGR_CALL(napi_typeof(env, argv[0], &t));
  uintptr_t page;
  if (t == napi_number) {
    double a;
    VGR_CALL(napi_get_value_double(env, argv[0], &a));
    if (!(a > 0 && a < 9007199254740992.0 && a == (double)(uintptr_t)a)) {
      return throw_range(env, "pageAddr", "a page address from allocState() or info()"), NULL;
    }
    page = (uintptr_t)a;
  } else {
    VGR_ARG_BYTES(0, "bufferOrPageAddr", data, len);
    if (data == NULL || len == 0) return throw_range(env, "bufferOrPageAddr", "a live state slice"), NULL;
    page = (uintptr_t)data & ~(uintptr_t)(s->page_size - 1);
  }
  int r = vgr_arena_pageout(page);
  if (r == VGR_NOT_A_SLICE) return throw_range(env, "bufferOrPageAddr", "in an arena page"), NULL;
  if (r < 0) return throw_system_error(env, -r, "madvise"), NULL;
  return NULL;
}

// pageoutAll(): drops every arena page; returns how many.
VGR_FUNCTION(js_pageout_all) {
  (void)info;
  return num(env, (double)vgr_arena_pageout_all());
}

// startDropper(intervalMicros = 50): a pthread dropping every arena page until stopDropper().
VGR_FUNCTION(start_dropper) {
  VGR_ARGV(1);
  VGR_ENV_DATA(d);
  VGR_ARG_OPT_UINT32(0, "intervalMicros", interval, 50);
  int r = vgr_dropper_start(interval, d);
  if (r == -EBUSY) {
    napi_throw_error(env, "ERR_INVALID_STATE", "Invalid state: a dropper thread is already running");
    return NULL;
  }
  if (r < 0) return throw_system_error(env, -r, "pthread_create"), NULL;
  return NULL;
}

// stopDropper(): stops the dropper; returns its page drops (0 if none was running).
VGR_FUNCTION(stop_dropper) {
  (void)info;
  int64_t n = vgr_dropper_stop(NULL);
  return num(env, n < 0 ? 0 : (double)n);
}

// fork(2) without atfork handlers where glibc has _Fork (2.34+): the child only reads memory,
// writes one byte and _exits, so it needs nothing from them, and the parent's prepare
// handlers (other libraries' locks) need not run in a multithreaded process.
static pid_t plain_fork(void) {
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
  return _Fork();
#endif
#endif
  return fork();
}

// forkProbe(buffer): { childSawZero, parentIntact }. A real fork: MAP_DROPPABLE implies
// VM_WIPEONFORK, so the child must see a live state as all zero, while the parent's is untouched.
VGR_FUNCTION(fork_probe) {
  VGR_ARGV(1);
  VGR_ARG_BYTES(0, "buffer", data, len);
  if (data == NULL || len == 0) return throw_range(env, "buffer", "at least 1 byte long"), NULL;
  unsigned char *before = malloc(len);
  if (before == NULL) return throw_system_error(env, ENOMEM, "malloc"), NULL;
  memcpy(before, data, len);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    int e = errno;
    free(before);
    return throw_system_error(env, e, "pipe"), NULL;
  }
  pid_t pid = plain_fork();
  if (pid == 0) {
    // The child of a multithreaded process: only async-signal-safe calls from here to _exit
    // (no malloc, no stdio, no JS, no exit handlers). Read through volatile so the compiler
    // cannot answer from the copy it knows the parent made.
    const volatile unsigned char *p = data;
    unsigned char any = 0;
    for (size_t i = 0; i < len; i++) any |= p[i];
    char verdict = any == 0 ? 'Z' : 'N';
    _exit(write(fds[1], &verdict, 1) == 1 ? 0 : 1);
  }
  int fork_errno = errno;
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    free(before);
    return throw_system_error(env, fork_errno, "fork"), NULL;
  }
  char verdict = 0;
  ssize_t got;
  do got = read(fds[0], &verdict, 1);
  while (got < 0 && errno == EINTR);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool intact = memcmp(before, data, len) == 0;
  vgr_wipe(before, len);
  free(before);
  if (got != 1) {
    napi_throw_error(env, "ERR_VGETRANDOM_FORK", "the fork probe's child exited without reporting");
    return NULL;
  }
  napi_value result;
  VGR_CALL(napi_create_object(env, &result));
  VGR_SET(set_bool(env, result, "childSawZero", verdict == 'Z'));
  VGR_SET(set_bool(env, result, "parentIntact", intact));
  return result;
}

// Registers this env's generation cell (starting the ticker) unless it is; false with an
// exception thrown if it cannot be.
static bool register_cell(napi_env env, struct env_data *d) {
  if (!d->generation_registered) {
    int r = vgr_generation_register(d->generation);
    if (r < 0) return throw_system_error(env, -r, "pthread_create"), false;
    d->generation_registered = true;
  }
  return true;
}

// generationCell(): an ArrayBuffer over this thread's cell of the process-wide generation,
// as two u32 words {low, high}, which the ticker and every reseed keep current.
VGR_FUNCTION(generation_cell) {
  (void)info;
  VGR_ENV_DATA(d);
  VGR_TRY(register_cell(env, d));
  napi_value buffer;
  VGR_CALL(napi_create_external_arraybuffer(env, d->generation, sizeof d->generation, NULL, NULL, &buffer));
  return buffer;
}

// idPoolPage(): an ArrayBuffer over this env's ID pool page (one droppable page, zero when
// first mapped: src/core/id-pool.ts lays it out); every call in one env gives the same page.
// The page lives until the env is torn down, when no JS of the env runs any more.
VGR_FUNCTION(id_pool_page) {
  (void)info;
  VGR_ENV_DATA(d);
  const struct vgr_setup *s = vgr_setup();
  void *page = vgr_arena_map_pool(d);
  if (page == NULL) return throw_system_error(env, errno, "mmap"), NULL;
  napi_value buffer;
  VGR_CALL(napi_create_external_arraybuffer(env, page, s->page_size, NULL, NULL, &buffer));
  return buffer;
}

// kernelGenerationCell(): in mapped mode, an ArrayBuffer over the kernel's generation's low word
// (4 bytes, read only: a write faults); null otherwise. Registers this env's cell first, which
// runs the kernel's setup, so the answer is final for this process.
VGR_FUNCTION(kernel_generation_cell) {
  (void)info;
  VGR_ENV_DATA(d);
  VGR_TRY(register_cell(env, d));
  const uint32_t *word = vgr_kernel_word();
  napi_value result;
  if (word == NULL) {
    VGR_CALL(napi_get_null(env, &result));
    return result;
  }
  // Node-API takes a mutable pointer; nothing writes through it (see the file's header).
  VGR_CALL(napi_create_external_arraybuffer(env, (void *)word, sizeof *word, NULL, NULL, &result));
  return result;
}

// kernelGeneration(): { mode: 'mapped' | 'polled' | 'none', now, pollMs }: how the kernel's CRNG
// generation reaches the states, its value now through a probe (0: unknown), and the polling
// interval in polled mode.
VGR_FUNCTION(kernel_generation) {
  (void)info;
  vgr_kernel_setup();
  napi_value result;
  VGR_CALL(napi_create_object(env, &result));
  VGR_SET(set_str(env, result, "mode", kernel_mode_name(vgr_kernel_mode())));
  VGR_SET(set_num(env, result, "now", (double)vgr_kernel_generation_now()));
  VGR_SET(set_num(env, result, "pollMs", (double)VGR_KERNEL_POLL_NS / 1e6));
  return result;
}

// kernelReseed(): ioctl(RNDRESEEDCRNG): the kernel reseeds its CRNG now and moves its generation
// (root only; EPERM otherwise). For the tests and the demo.
VGR_FUNCTION(kernel_reseed) {
  (void)info;
  int r = vgr_kernel_reseed();
  if (r < 0) return throw_system_error(env, -r, "ioctl"), NULL;
  napi_value undefined;
  VGR_CALL(napi_get_undefined(env, &undefined));
  return undefined;
}

// bumpGeneration(): moves the process-wide generation on now (every thread's states rekey
// before their next output); returns the new generation.
VGR_FUNCTION(bump_generation) {
  (void)info;
  return num(env, (double)vgr_generation_bump());
}

// How long forkCheck() waits for its child's report beyond `waitMs`: the child does a few
// microseconds of work, so only a deadlock (or a machine stalled for seconds) runs into it.
#define FORK_CHECK_TIMEOUT_MS 10000

// forkCheck(waitMs = 0, minTicks = 0): a test of the atfork handlers (native/fork.c). Forks
// with fork(), every atfork handler included; the child reads the generation, the arena and the
// dropper through the addon's own locked calls (a lock left held across the fork would hang it),
// takes and returns a fresh slice, waits (until its generation moved on `minTicks` times, at most
// `waitMs` ms; minTicks 0: `waitMs` ms), reads the generation again, reports and _exits.
// Registers this thread's generation cell first (starting the ticker). Blocks this thread until
// the child reports; a child that has not after waitMs + 10 s is killed and an error thrown.
VGR_FUNCTION(fork_check) {
  VGR_ARGV(2);
  VGR_ENV_DATA(d);
  VGR_ARG_OPT_UINT32(0, "waitMs", wait_ms, 0);
  VGR_ARG_OPT_UINT32(1, "minTicks", min_ticks, 0);
  VGR_TRY(register_cell(env, d));
  struct vgr_fork_check r;
  int rc = vgr_fork_check(d, d->generation, wait_ms, min_ticks, FORK_CHECK_TIMEOUT_MS, &r);
  if (rc == -ETIMEDOUT) {
    char msg[160];
    snprintf(msg, sizeof msg, "the fork check's child did not report within %llu ms and was killed (deadlocked?)",
             (unsigned long long)wait_ms + FORK_CHECK_TIMEOUT_MS);
    napi_throw_error(env, "ERR_VGETRANDOM_FORK", msg);
    return NULL;
  }
  if (rc == -EPROTO) {
    napi_throw_error(env, "ERR_VGETRANDOM_FORK", "the fork check's child exited without a full report");
    return NULL;
  }
  if (rc < 0) return throw_system_error(env, -rc, "fork"), NULL;
  const struct vgr_fork_check_child *c = &r.child;
  napi_value result;
  VGR_CALL(napi_create_object(env, &result));
  VGR_SET(set_num(env, result, "parentGeneration", (double)r.parent_generation));
  VGR_SET(set_num(env, result, "parentStatesInUse", (double)r.parent_states_in_use));
  VGR_SET(set_num(env, result, "parentStatesHeld", (double)r.parent_states_held));
  VGR_SET(set_num(env, result, "parentCells", (double)r.parent_cells));
  VGR_SET(set_num(env, result, "childGenerationAtFork", (double)c->generation_at_fork));
  VGR_SET(set_num(env, result, "childGenerationNow", (double)c->now_at_fork));
  VGR_SET(set_num(env, result, "childStatesInUse", (double)c->states_in_use));
  VGR_SET(set_num(env, result, "childStatesHeld", (double)c->states_held));
  VGR_SET(set_num(env, result, "childCells", (double)c->cells));
  VGR_SET(set_bool(env, result, "childDropperRunning", c->dropper_was_running != 0));
  VGR_SET(set_bool(env, result, "childAllocOk", c->alloc_ok != 0));
  VGR_SET(set_num(env, result, "childWaitedMs", (double)c->waited_ms));
  VGR_SET(set_num(env, result, "childGenerationLater", (double)c->generation_later));
  return result;
}

// --- env lifecycle -----------------------------------------------------------------------------

// The env (thread) is going away: stop a dropper it started, zero and return every slice it
// holds (its vDSO state included). JS no longer runs in this env, so no buffer over those
// slices can be used; a late ArrayBuffer finalizer finds its ticket gone and does nothing.
static void env_cleanup(void *arg) {
  struct env_data *d = arg;
  vgr_fork_thread_gone(d);
  vgr_dropper_stop(d);
  vgr_arena_release_owner(d);
  vgr_arena_unmap_pool(d);
  if (d->generation_registered) vgr_generation_unregister(d->generation);
  free(d);
}

NAPI_MODULE_INIT() {
  vgr_setup();
  // Before any thread of the addon can start: a fork must never find a lock held without the
  // handlers that carry it across.
  int fr = vgr_fork_setup();
  if (fr < 0) return throw_system_error(env, -fr, "pthread_atfork"), NULL;
  // Loaded into this env before (a second process.dlopen of the same file)? Keep the env's
  // identity: its slices are held under it.
  struct env_data *d = NULL;
  VGR_CALL(napi_get_instance_data(env, (void **)&d));
  if (d == NULL) {
    d = calloc(1, sizeof *d);
    if (d == NULL) return throw_system_error(env, ENOMEM, "calloc"), NULL;
    if (napi_set_instance_data(env, d, NULL, NULL) != napi_ok || napi_add_env_cleanup_hook(env, env_cleanup, d) != napi_ok) {
      free(d);
      throw_napi_failure(env, "napi_set_instance_data");
      return NULL;
    }
  }
  // This env lives on this thread, for good: the fork handlers keep its slices and its cell in
  // a child forked from here and drop every other thread's.
  vgr_fork_this_thread(d, d->generation);
  napi_property_descriptor exports_list[] = {
      VGR_EXPORT("allocState", alloc_state),
      VGR_EXPORT("freeState", free_state),
      VGR_EXPORT("arenaStats", arena_stats),
      VGR_EXPORT("getrandom", js_getrandom),
      VGR_EXPORT("vdsoGetrandom", vdso_getrandom),
      VGR_EXPORT("vdsoBench", vdso_bench),
      VGR_EXPORT("info", js_info),
      VGR_EXPORT("pageout", js_pageout),
      VGR_EXPORT("pageoutAll", js_pageout_all),
      VGR_EXPORT("startDropper", start_dropper),
      VGR_EXPORT("stopDropper", stop_dropper),
      VGR_EXPORT("forkProbe", fork_probe),
      VGR_EXPORT("forkCheck", fork_check),
      VGR_EXPORT("generationCell", generation_cell),
      VGR_EXPORT("bumpGeneration", bump_generation),
      VGR_EXPORT("kernelGenerationCell", kernel_generation_cell),
      VGR_EXPORT("kernelGeneration", kernel_generation),
      VGR_EXPORT("kernelReseed", kernel_reseed),
      VGR_EXPORT("chacha20Blocks", chacha20_blocks),
      VGR_EXPORT("chacha20Refill", chacha20_refill),
      VGR_EXPORT("chacha20Core", chacha20_core),
      VGR_EXPORT("idPoolPage", id_pool_page),
  };
  VGR_CALL(napi_define_properties(env, exports, sizeof exports_list / sizeof exports_list[0], exports_list));
  return exports;
}
