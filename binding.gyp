# The vgetrandom Node-API addon (Linux only): build/Release/vgetrandom.node.
# Built by `node-gyp rebuild` at install time; when it cannot be built the library runs on its
# simulated backend, so on other systems the target builds nothing. Linked -z nodelete: the
# generation ticker and the dropper are threads of this library, so it must stay mapped when the
# last env that loaded it (a worker) goes away, or their next instruction faults; and its
# pthread_atfork handlers (native/fork.c) must stay registered, which glibc undoes at unload.
{
  "targets": [
    {
      "target_name": "vgetrandom",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/vgetrandom.c", "native/arena.c", "native/vdso.c", "native/generation.c", "native/kernelgen.c", "native/chacha20.c", "native/fork.c", "native/forkcheck.c"],
          "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
          "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-O2", "-pthread"],
          "ldflags": ["-pthread", "-Wl,-z,nodelete"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
