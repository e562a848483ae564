// A child process for test/platform/native-fork.test.ts, run with a short VGETRANDOM_TICK_MS (the ticker
// reads it once per process, so it cannot be set in the test's own process). Forks `forks` times
// with the addon's forkCheck(); each fork child waits until its generation has moved on `ticks`
// times (at most 10 s) and reports. Without a ticker of its own (fork copies only the calling
// thread) a child's generation would never move. argv: addon path, forks, ticks. Prints JSON:
// the reports, and the parent's own generation before and after (its ticker runs on).
const [addonPath, forks, ticks] = process.argv.slice(2);
const mod = { exports: {} };
process.dlopen(mod, addonPath);
const b = mod.exports;

const cell = new Uint32Array(b.generationCell());
const generation = () => cell[1] * 2 ** 32 + cell[0];
const parentBefore = generation();
const reports = [];
for (let i = 0; i < Number(forks); i++) reports.push(b.forkCheck(10_000, Number(ticks)));
console.log(JSON.stringify({ parentBefore, parentAfter: generation(), reports }));
