// A child process for the idle-drop test in a real v1 memory cgroup (test/native.test.ts):
// a generator on the native backend draws, sits idle while the parent force-reclaims its
// cgroup, then draws again. Line protocol on stdin/stdout:
//   → "ready"              (the parent now moves this process into a fresh cgroup)
//   ← "fill"   → "filled"  (the generator's page is first touched here, so it is charged to
//                            the new cgroup: v1 does not move old charges with a task)
//   ← "check"  → JSON { zero, rekeys, evidence }  after the parent wrote memory.force_empty
import { createInterface } from 'node:readline';
import { createGenerator, type Generator } from '../../src/index.js';
import { zeroStateEvidence } from '../helpers/zero-key.js';

let gen: Generator | undefined;
const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) {
  if (line === 'fill') {
    gen = createGenerator({ backend: 'native' });
    gen.fill(new Uint8Array(40));
    console.log('filled');
  } else if (line === 'check') {
    const zero = gen!.state.every((x) => x === 0);
    const out = gen!.fill(new Uint8Array(64));
    console.log(JSON.stringify({ zero, rekeys: gen!.stats().rekeys, evidence: zeroStateEvidence(out) }));
    break;
  }
}
process.exit(0);
