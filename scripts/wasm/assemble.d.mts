// The type of scripts/wasm/assemble.mjs, for the test that checks the built core against its source.

/** The SIMD ChaCha20 core's WebAssembly bytes, assembled from its text. */
export function assembleChacha20Simd(): Promise<Uint8Array>;
