// Test worker: moves the addon's process-wide generation on from another thread.
import { NativeGeneration } from '../../src/generation.js';
import { loadNative } from '../../src/native/binding.js';

new NativeGeneration(loadNative().binding!).bump();
