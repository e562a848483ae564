// randomUUID() and randomInt() draw from this thread's ID pool on either backend, and nothing
// else does: counted in calls of the default generator (test/api/id-pool/scenario.ts).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NATIVE_EXPECTED } from '../helpers/backends.js';
import { scenario } from './id-pool/scenario.js';

const EXPECTED = {
  uuidFill: 1,
  uuidRefill: 1,
  fresh: 10,
  byteSources: 4,
  poolLeft: 0,
  intFill: 1,
  intRefill: 1,
  afterDrop: 1,
  rekeysAfterDrop: 1,
  allUuidsValid: true,
  distinctUuids: true,
  intsInRange: true,
};

describe('the ID pool behind randomUUID() and randomInt()', () => {
  it.runIf(NATIVE_EXPECTED)('on the native backend: one fill per 252 UUIDs or 672 ints, refilled after a reseed or a drop', () => {
    expect(scenario()).toEqual({ backend: 'native', ...EXPECTED });
  });

  it('on the simulated backend, another thread reclaiming the shared arena in a tight loop never makes an ID hand out zeros', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./id-pool/reclaim-child.ts', import.meta.url).pathname], {
      env: { ...process.env, VGETRANDOM_NATIVE: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout) as { draws: number; zeroInts: number; zeroWords: number; reclaimed: number; rekeys: number };
    console.log('ID pool under concurrent reclaim:', result);
    // The drops reached this thread's state again and again while it drew IDs: the race was on.
    expect(result.reclaimed).toBeGreaterThan(100);
    expect(result.rekeys).toBeGreaterThan(10);
    expect({ zeroInts: result.zeroInts, zeroWords: result.zeroWords }).toEqual({ zeroInts: 0, zeroWords: 0 });
  });

  it('on the simulated backend (no addon): the same', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', new URL('./id-pool/child.ts', import.meta.url).pathname], {
      env: { ...process.env, VGETRANDOM_NATIVE: '0' },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ backend: 'simulated', ...EXPECTED });
  });
});
