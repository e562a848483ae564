// Runs scenario.ts in a process of its own (started with VGETRANDOM_NATIVE=0: the simulated
// backend's pool) and prints its counts as JSON.

import { scenario } from './scenario.js';

console.log(JSON.stringify(scenario()));
