// Which backends the shared suites run over. On Linux x64 the native backend is required
// (unless VGETRANDOM_NATIVE=0): a missing addon makes the suites fail, not skip.

import type { Backend } from '../../src/arena/backends.js';
import { loadNative } from '../../src/platform/addon/binding.js';

/** True where the native addon must be built and loaded. */
export const NATIVE_EXPECTED = process.platform === 'linux' && process.arch === 'x64' && process.env.VGETRANDOM_NATIVE !== '0';

const loaded = loadNative();
if (NATIVE_EXPECTED && loaded.binding === null) {
  throw new Error(`the native addon must load on Linux x64 (set VGETRANDOM_NATIVE=0 to test without it): ${loaded.reason}`);
}

/** The backends available here, each of which the shared suites run over. */
export const BACKENDS: readonly Backend[] = loaded.binding === null ? ['simulated'] : ['simulated', 'native'];
