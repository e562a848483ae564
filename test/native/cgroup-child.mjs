// A child process for the idle-drop test in a real v1 memory cgroup (test/native.test.ts).
// argv[2]: the built addon. Line protocol on stdin/stdout:
//   → "ready"              (the parent now moves this process into a fresh cgroup)
//   ← "fill"   → "filled"  (the slice's page is first touched here, so it is charged to the
//                            new cgroup: v1 does not move old charges with a task)
//   ← "check"  → "zero true|false"  after the parent wrote memory.force_empty
import { createInterface } from 'node:readline';

const mod = { exports: {} };
process.dlopen(mod, process.argv[2]);
const b = mod.exports;
let slice;
const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) {
  if (line === 'fill') {
    slice = b.allocState();
    new Uint8Array(slice.buffer).fill(0x5a);
    console.log('filled');
  } else if (line === 'check') {
    console.log(`zero ${new Uint8Array(slice.buffer).every((x) => x === 0)}`);
    break;
  }
}
process.exit(0);
