// Built-ins replaced after the library loaded (test/api/hostile/patched-globals.ts): on the default
// backend here, and in a child process without the addon, where the syscall path is node:crypto's.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { NATIVE_EXPECTED } from '../helpers/backends.js';
import { patchedGlobalFailures } from './hostile/patched-globals.js';

describe('built-ins patched after the library loaded', () => {
  it(`${NATIVE_EXPECTED ? 'native' : 'simulated'} backend by default: random output, only the view written, no patched function called`, () => {
    expect(patchedGlobalFailures(lib).join('\n')).toBe('');
  });

  it('without the addon (the simulated backend and node:crypto as the syscall path): the same', () => {
    const child = fileURLToPath(new URL('./hostile/globals-child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, VGETRANDOM_NATIVE: '0' },
    });
    expect(r.stderr).toBe('');
    const { backend, failures } = JSON.parse(r.stdout) as { backend: string; failures: string[] };
    expect(backend).toBe('simulated');
    expect(failures.join('\n')).toBe('');
  });
});
