// A child process that writes to the kernel's generation word as mapped for JS: the page is the
// kernel's and read only, so the write must fault (SIGSEGV) rather than change what every
// process reads. Prints the word before the write.

import { loadNative } from '../../../src/platform/addon/binding.js';

const cell = loadNative().binding!.kernelGenerationCell();
if (cell === null) throw new Error('the kernel generation is not mapped');
const word = new Uint32Array(cell);
process.stdout.write(`${word[0]}\n`);
word[0] = word[0]! + 1000;
process.stdout.write('written\n');
