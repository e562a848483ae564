// vgetrandom/register as users run it: `node --import vgetrandom/register`, `node -r
// vgetrandom/register` and NODE_OPTIONS, in a fresh app with the packed tarball installed. Each
// app draws through node:crypto and globalThis.crypto only, and reports how many of its calls the
// registering copy's default generator served; a file worker inherits the flag (an eval worker
// does not: Node runs no --import there); unregister() hands the functions back to Node.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, installApp, userEnv } from './app.js';

let app: App;
beforeAll(() => {
  app = installApp();
  // Seven draws, through every door a dependency would use; then the served count. Each ID comes
  // after a reseed, so that it refills this thread's ID pool: one call of the generator each.
  const draws = `
    randomBytes(16); randomFillSync(new Uint8Array(16)); reseed(); randomInt(1000); reseed(); randomUUID();
    globalThis.crypto.getRandomValues(new Uint8Array(16)); reseed(); globalThis.crypto.randomUUID();
    await new Promise((resolve) => randomFill(new Uint8Array(16), resolve));`;
  writeFileSync(
    join(app.dir, 'esm.mjs'),
    `import { randomBytes, randomFill, randomFillSync, randomInt, randomUUID } from 'node:crypto';
     const { reseed, stats } = await import('vgetrandom');
     const before = stats().calls;
     ${draws}
     console.log(stats().calls - before);`,
  );
  writeFileSync(
    join(app.dir, 'cjs.cjs'),
    `const { randomBytes, randomFill, randomFillSync, randomInt, randomUUID } = require('node:crypto');
     const { reseed, stats } = require('vgetrandom');
     (async () => {
       const before = stats().calls;
       ${draws}
       console.log(stats().calls - before);
     })();`,
  );
  writeFileSync(
    join(app.dir, 'worker.mjs'),
    `import { Worker } from 'node:worker_threads';
     const run = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
     const file = await run(new Worker(new URL('./esm-worker.mjs', import.meta.url)));
     const evaled = await run(new Worker("import('./esm-worker.mjs')", { eval: true }));
     const evaledRegistering = await run(new Worker("import('vgetrandom/register').then(() => import('./esm-worker.mjs'))", { eval: true }));
     console.log(JSON.stringify({ file, evaled, evaledRegistering }));`,
  );
  writeFileSync(
    join(app.dir, 'esm-worker.mjs'),
    `import { parentPort } from 'node:worker_threads';
     import { randomBytes } from 'node:crypto';
     const { stats } = await import('vgetrandom');
     const before = stats().calls;
     randomBytes(16); globalThis.crypto.randomUUID();
     parentPort.postMessage(stats().calls - before);`,
  );
  writeFileSync(
    join(app.dir, 'unregister.mjs'),
    `import { randomBytes } from 'node:crypto';
     const { stats } = await import('vgetrandom');
     const { registered, unregister } = await import('vgetrandom/register');
     const served = () => { const b = stats().calls; randomBytes(16); globalThis.crypto.randomUUID(); return stats().calls - b; };
     const on = [registered(), served()];
     unregister();
     console.log(JSON.stringify({ on, off: [registered(), served()] }));`,
  );
});

/** Runs node with `args` in the app; its stdout, after checking that it ran cleanly. */
function run(args: string[], env = userEnv()): string {
  const r = app.node(args, env);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

describe('vgetrandom/register, installed', () => {
  it('node --import vgetrandom/register: every draw of an ES module through node:crypto and globalThis.crypto is served', () => {
    expect(run(['--import', 'vgetrandom/register', 'esm.mjs'])).toBe('7');
    expect(run(['esm.mjs'])).toBe('0');
  });

  it('node -r vgetrandom/register: every draw of a CommonJS script is served', () => {
    expect(run(['-r', 'vgetrandom/register', 'cjs.cjs'])).toBe('7');
    expect(run(['cjs.cjs'])).toBe('0');
  });

  it('NODE_OPTIONS=--import vgetrandom/register: the same', () => {
    expect(run(['esm.mjs'], userEnv({ NODE_OPTIONS: '--import vgetrandom/register' }))).toBe('7');
  });

  it('a file worker inherits --import and is served; an eval worker runs no --import (measured), so it registers itself', () => {
    expect(JSON.parse(run(['--import', 'vgetrandom/register', 'worker.mjs']))).toEqual({ file: 2, evaled: 0, evaledRegistering: 2 });
  });

  it('unregister() hands the functions back to Node', () => {
    expect(JSON.parse(run(['--import', 'vgetrandom/register', 'unregister.mjs']))).toEqual({ on: [true, 2], off: [false, 0] });
  });
});
