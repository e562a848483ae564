// The type of scripts/wasm/assemble.mjs, for the test that checks the built core against its source.

/** The SIMD ChaCha20 core's WebAssembly bytes, assembled from its text (or from `text`, a variant of it). */
export function assembleChacha20Simd(text?: string): Promise<Uint8Array>;
