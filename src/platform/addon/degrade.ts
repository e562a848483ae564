// The one line that says the library runs on its simulated backend although a native addon was
// expected: printed once per process, by its main thread, on the first loadNative() that found
// no addon (src/platform/addon/binding.ts hands it the reason; this module knows no more of it).

import { isMainThread } from 'node:worker_threads';
import { isBuildingSnapshot } from '../snapshot.js';
import { buildError } from './prebuild.js';

/** Set on globalThis once the degrade line was printed: one line even with both bundles loaded. */
const WARNED = Symbol.for('vgetrandom.simulatedBackendWarned');

/**
 * Prints, once per process (its main thread; both bundles count as one), the line saying that
 * the simulated backend serves because the package's addon is missing or unusable: on Linux
 * x64, where a prebuild ships, and elsewhere on Linux when the install's compile recorded a
 * failure. Never for VGETRANDOM_NATIVE=0, a startup snapshot, other systems, or a bundled copy
 * away from its package (its reason says so). VGETRANDOM_QUIET=1 silences it.
 */
export function warnDegrade(reason: string | undefined, env: NodeJS.ProcessEnv, root: string | undefined): void {
  if (root === undefined || process.platform !== 'linux') return;
  if (env.VGETRANDOM_NATIVE === '0' || env.VGETRANDOM_QUIET === '1' || !isMainThread || isBuildingSnapshot()) return;
  const record = buildError(root);
  if (process.arch !== 'x64' && record === undefined) return;
  const g = globalThis as { [WARNED]?: boolean };
  if (g[WARNED] === true) return;
  g[WARNED] = true;
  const why = (reason ?? 'unknown').split('\n')[0]!.replace(/:$/, '');
  const more = record === undefined ? '' : "; info().reason has the compiler's last lines";
  process.stderr.write(
    `vgetrandom: using the pure (simulated) backend, not the native addon: ${why}${more}; VGETRANDOM_QUIET=1 silences this\n`,
  );
}
