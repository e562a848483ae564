// Test worker: moves the addon's process-wide generation on from another thread.
import { NativeGeneration } from '../../../src/platform/generation-sources.js';
import { loadNative } from '../../../src/platform/addon/binding.js';

new NativeGeneration(loadNative().binding!).bump();
