// The `vgetrandom/register` entry point: importing it (`node --import vgetrandom/register`,
// `node -r vgetrandom/register`, or an import at the top of the entry point) serves node:crypto's
// and globalThis.crypto's random functions from this thread's vgetrandom generator
// (src/api/register.ts says which, and what cannot be served).

import { register } from './api/register.js';

register();

export { register, registered, unregister } from './api/register.js';
