// The demo's child process for the cgroup step (src/demo/cgroup.ts), as in test/platform/native.test.ts:
// it holds a generator on the native backend that sits idle while its parent makes the kernel
// reclaim the child's cgroup. Line protocol on stdin/stdout:
//   → "ready"                (the parent now moves this process into a fresh cgroup)
//   ← "fill"   → "filled"    (the generator's page is first touched here, so it is charged to the
//                              new cgroup: v1 does not move old charges with a task)
//   ← "check"  → one JSON line: what observe() saw, and the generator's counters
import { createInterface } from 'node:readline';
import { createGenerator, type Generator } from '../index.js';
import { observe, type Primed, prime } from './drop.js';

let gen: Generator | undefined;
let primed: Primed | undefined;
const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) {
  if (line === 'fill') {
    gen = createGenerator({ backend: 'native' });
    primed = prime(gen);
    console.log('filled');
  } else if (line === 'check' && gen !== undefined && primed !== undefined) {
    const seen = observe(gen, primed);
    console.log(JSON.stringify({ ...seen, stats: gen.stats() }));
    gen.release();
    break;
  }
}
process.exit(0);
