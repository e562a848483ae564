// A startup-snapshot entry script with vgetrandom/register loaded (test/platform/snapshot.test.ts):
// draws through node:crypto and globalThis.crypto while the snapshot is built and again in every
// process started from it, printing the draws and how many of them vgetrandom served.

import nodeCrypto from 'node:crypto';
import { startupSnapshot } from 'node:v8';
import * as vg from '../../../src/index.js';
import { register } from '../../../src/register.js';

// Called, not only imported: bundled from src/, a bare import of a module the package.json says
// has no side effects (only dist/register.* has) would be dropped.
register();

function draw() {
  const before = vg.stats().calls;
  if (process.env.DBG) console.error('before', JSON.stringify(vg.stats()));
  const draws = [
    nodeCrypto.randomBytes(16).toString('hex'),
    nodeCrypto.randomUUID(),
    Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
  ];
  if (process.env.DBG) console.error('after', JSON.stringify(vg.stats()));
  return { draws, served: vg.stats().calls - before };
}

console.log(JSON.stringify(draw()));

startupSnapshot.setDeserializeMainFunction(() => {
  vg.useAddonDirectory(process.cwd());
  console.log(JSON.stringify({ ...draw(), backend: vg.info().backend }));
});
