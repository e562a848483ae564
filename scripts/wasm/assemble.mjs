// Assembles the SIMD ChaCha20 core's text (chacha20-simd.wat.mjs) with wabt, the WebAssembly
// Binary Toolkit: for scripts/build-wasm.mjs, and for the test that checks the built bytes
// against their source.

import wabt from 'wabt';
import { chacha20SimdWat } from './chacha20-simd.wat.mjs';

/** The module's bytes, from its text (or from `text`: a test's variant of it). */
export async function assembleChacha20Simd(text = chacha20SimdWat()) {
  const toolkit = await wabt();
  const module = toolkit.parseWat('chacha20-simd.wat', text, { simd: true });
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
