// Startup snapshots (src/platform/snapshot.ts): a state captured in a snapshot must not replay its bytes in
// the processes started from it. Builds a snapshot whose entry script (test/platform/snapshot/entry.ts,
// bundled with the library by esbuild, since an entry script may only require built-in modules)
// draws from every public function, starts three processes from it, and requires every draw to
// differ across them and from the build's. Then imports the library, as CJS and as ESM, where
// v8.startupSnapshot is missing or a stub that throws.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBackend } from '../../src/arena/backends.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`snapshot/${name}`, import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vgetrandom-snapshot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Bundles `entry` and the library into `dir/outName`, a file that requires built-in modules only. */
async function bundle(entry: string, outName: string, format: 'cjs' | 'esm'): Promise<string> {
  const outfile = join(dir, outName);
  // logLevel 'error': the CJS bundle warns that import.meta is empty (binding.ts reads __dirname there).
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format, target: 'node20', logLevel: 'error' });
  return outfile;
}

/** Runs node with `args` in the repository (where a restored process finds the addon); its stdout, parsed. */
async function node<T>(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env });
  return JSON.parse(stdout) as T;
}

/** What test/platform/snapshot/entry.ts prints of the two generators it makes while building. */
interface Where {
  backend: string;
  reason?: string;
  arenaInUse: number;
  inUse: number[];
  generation: number[];
  zeroed: boolean[];
  stats: { calls: number; rekeys: number; fallbacks: number }[];
}
type Draws = Record<string, string | number>;

describe('a startup snapshot', () => {
  let built: Where & { draws: Draws };
  let restored: (Where & { draws: Draws; after: Where })[];

  beforeAll(async () => {
    const entry = await bundle(fixture('entry.ts'), 'entry.cjs', 'cjs');
    const blob = join(dir, 'snapshot.blob');
    built = await node(['--snapshot-blob', blob, '--build-snapshot', entry]);
    restored = await Promise.all([1, 2, 3].map(() => node<(typeof restored)[number]>(['--snapshot-blob', blob])));
  });

  it('is built on parked states: every draw goes to the syscall path, no key is fetched', () => {
    expect(built).toMatchObject({ backend: 'simulated', reason: 'building a startup snapshot', inUse: [1, 1], generation: [0, 0] });
    for (const s of built.stats) expect(s).toMatchObject({ calls: 1, rekeys: 0, fallbacks: 1 });
  });

  it('is restored with every state zeroed before the main function, and each generator rekeys', () => {
    for (const r of restored) {
      expect(r).toMatchObject({ inUse: [0, 0], zeroed: [true, true] });
      for (const s of r.after.stats) expect(s).toMatchObject({ calls: 2, rekeys: 1, fallbacks: 1 });
    }
  });

  it("is restored with every generation moved on: the one of the process and a generator's own", () => {
    // Both started at 1 while building; a bump on restore makes the key the restored process
    // fetches the first of generation 2 (and restarts its 60 s from the restored clock).
    for (const r of restored) expect(r.after.generation).toEqual([2, 2]);
  });

  it("gives every process its own bytes from every function, none of them the build's", () => {
    const runs = [built, ...restored].map((r) => r.draws);
    expect(Object.keys(built.draws)).toEqual([
      'getrandom',
      'getRandomValues',
      'randomBytes',
      'randomFillSync',
      'randomInt',
      'randomUUID',
      'webcrypto',
      'generator',
      'clockedGenerator',
    ]);
    for (const name of Object.keys(built.draws)) {
      const values = runs.map((draws) => draws[name]);
      expect(new Set(values).size, `${name}: ${values.join(' ')}`).toBe(values.length);
    }
  });

  it('lets a restored process choose its backend afresh (the build could not load the addon)', () => {
    for (const r of restored) {
      expect(r.backend).toBe(defaultBackend());
      expect(r.reason).not.toBe('building a startup snapshot');
      // The default generator made while building was released: the one the restored process
      // made lives in that backend's arena. The two build-time generators keep private states.
      expect(r.after.arenaInUse).toBe(1);
    }
  });
});
describe('a startup snapshot with vgetrandom/register loaded', () => {
  it('serves node:crypto and globalThis.crypto in the build and in every restored process, each with bytes of its own', async () => {
    const entry = await bundle(fixture('register-entry.ts'), 'register-entry.cjs', 'cjs');
    const blob = join(dir, 'register.blob');
    type Out = { draws: string[]; served: number; backend?: string };
    const built = await node<Out>(['--snapshot-blob', blob, '--build-snapshot', entry]);
    const restored = await Promise.all([1, 2].map(() => node<Out>(['--snapshot-blob', blob])));
    for (const out of [built, ...restored]) expect(out.served).toBe(3);
    for (const r of restored) expect(r.backend).toBe(defaultBackend());
    const all = [built, ...restored].flatMap((o) => o.draws);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('a runtime whose v8.startupSnapshot is missing or throws', () => {
  let lib: { cjs: string; esm: string };
  beforeAll(async () => {
    const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    lib = { cjs: await bundle(entry, 'lib.cjs', 'cjs'), esm: await bundle(entry, 'lib.mjs', 'esm') };
  });

  // Draws from the library, and reports whether the stub was in place: the call must fail.
  const body = `
    let stubbed = false;
    try { require('node:v8').startupSnapshot.isBuildingSnapshot(); } catch { stubbed = true; }
    const gen = vg.createGenerator({ reseedIntervalMs: 1000 });
    console.log(JSON.stringify({
      stubbed,
      bytes: vg.randomBytes(16).toString('hex'),
      uuid: vg.randomUUID(),
      own: Buffer.from(gen.fill(new Uint8Array(16))).toString('hex'),
      rekeys: gen.stats().rekeys,
    }));`;

  it.each([
    ['throwing', 'cjs'],
    ['throwing', 'esm'],
    ['absent', 'cjs'],
    ['absent', 'esm'],
  ] as const)('imports and draws with a %s stub, as %s', async (stub, format) => {
    const script =
      format === 'cjs'
        ? ['-e', `const vg = require(${JSON.stringify(lib.cjs)});${body}`]
        : [
            '--input-type=module',
            '-e',
            `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
             const vg = await import(${JSON.stringify(pathToFileURL(lib.esm).href)});${body}`,
          ];
    const out = await node<{ stubbed: boolean; bytes: string; uuid: string; own: string; rekeys: number }>(
      ['-r', fixture('stub-startup-snapshot.cjs'), ...script],
      { ...process.env, STARTUP_SNAPSHOT: stub },
    );
    expect(out.stubbed).toBe(true);
    expect(out.bytes).toMatch(/^[0-9a-f]{32}$/);
    expect(out.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.own).toMatch(/^[0-9a-f]{32}$/);
    expect(out.rekeys).toBe(1);
  });
});
