// Filling a caller's buffer allocates nothing per call: 10^7 calls of 16 bytes to each entry
// point cause (almost) no garbage collection. The control, which makes one 16-byte view per
// call, shows what a per-call allocation costs: many collections. A few are allowed for what
// else the process does meanwhile (the JIT, timers).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('10^7 calls of 16 B to getrandom, getRandomValues, randomFillSync and a generator cause no GC', () => {
  const child = fileURLToPath(new URL('./allocation/gc-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const gcs = JSON.parse(r.stdout) as Record<string, number>;
  console.log('GCs during 10^7 calls of 16 B:', gcs);
  const { control, ...library } = gcs;
  expect(control).toBeGreaterThanOrEqual(10);
  for (const [name, count] of Object.entries(library)) expect(count, name).toBeLessThanOrEqual(3);
});
