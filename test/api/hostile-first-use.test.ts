// Globals replaced after the library loaded but before its first draw: the parts it makes lazily
// (the ID pool's page, the simulated arena's pages and owner map, the WebAssembly SIMD core and
// its memory) must be made through the built-ins captured at load, never through the caller's
// replacements, on either backend (test/api/hostile/first-use-child.ts, in a fresh process).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NATIVE_EXPECTED } from '../helpers/backends.js';

function replacementsHit(native: boolean): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./hostile/first-use-child.ts', import.meta.url).pathname], {
    env: { ...process.env, VGETRANDOM_NATIVE: native ? '1' : '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

describe('globals replaced before the first draw', () => {
  it('on the simulated backend: none of the replacements runs while the library draws', () => {
    expect(replacementsHit(false)).toEqual([]);
  });

  it.runIf(NATIVE_EXPECTED)('on the native backend: none of the replacements runs while the library draws', () => {
    expect(replacementsHit(true)).toEqual([]);
  });
});
