// A child process on the simulated backend (VGETRANDOM_NATIVE=0), whose default generation runs
// on the wall clock: Date.now is replaced, before the library loads, by one that a test can move
// on without any monotonic time passing, as a suspend of the machine does. Prints the default
// generator's rekeys after each step as JSON.

const realNow = Date.now;
let offset = 0;
Date.now = () => realNow() + offset;

const { getrandom, stats } = await import('../../../src/index.js');
const draw = () => {
  getrandom(new Uint8Array(16));
  return stats().rekeys;
};

const fresh = draw();
offset += 59_000;
const after59s = draw();
offset += 2_000;
const after61s = draw();
offset -= 3_600_000;
const setBack = draw();
console.log(JSON.stringify({ fresh, after59s, after61s, setBack }));
