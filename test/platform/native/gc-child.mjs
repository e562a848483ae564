// Run with --expose-gc: slices whose buffers are collected without freeState() go back to the
// arena (the external ArrayBuffer's finalizer). Prints the arena's counts before and after.
const mod = { exports: {} };
process.dlopen(mod, process.argv[2]);
const b = mod.exports;
const before = b.arenaStats();
(function leak() {
  for (let i = 0; i < 100; i++) new Uint8Array(b.allocState().buffer).fill(1);
})();
const leaked = b.arenaStats();
for (let i = 0; i < 5; i++) {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(JSON.stringify({ before, leaked, after: b.arenaStats() }));
