// Test worker: moves the addon's process-wide generation on from another thread.

import { loadNative } from '../../../src/platform/addon/binding.js';
import { NativeGeneration } from '../../../src/platform/generation-sources.js';

new NativeGeneration(loadNative().binding!).bump();
