// A fast ChaCha20 block core for the direct blocks of large requests (design.md §2, step 6:
// `floor(len / 64)` whole blocks written straight into the caller's output under the state's
// key). The same function as src/core/chacha20.ts, byte for byte: original DJB layout, a 64-bit
// block counter in words 12–13 (low word first, carrying into 13), words 14–15 zero, 10 double
// rounds, output `x + s` as little-endian words.
//
// Cores, chosen once per process at first use:
//   avx512  16 blocks at a time, one block per 32-bit lane of a zmm register (x86-64, AVX-512F);
//   avx2     8 blocks at a time, one per lane of a ymm register (x86-64 with AVX2);
//   sse      4 blocks at a time, one per lane of an xmm register (x86-64 with SSSE3);
//   scalar   one block at a time, portable C (every other CPU).
// A vector core computes a last, partial group in full and stores only the blocks asked for;
// a lone last block (nblocks % group == 1) goes to the scalar core, which is cheaper for one.
// Other architectures build the scalar core only.
//
// Override, for tests and benchmarks: the environment variable VGETRANDOM_CHACHA, read once at
// first use, caps the choice: `scalar`, `sse`, `avx2` or `avx512` select at most that core (a
// core the CPU lacks is never selected: `avx2` on a CPU without AVX2 gives `sse` or `scalar`);
// unset, empty, `auto` or any other value select the best core the CPU has.
// vgr_chacha20_core() says which core is in use.
#ifndef VGETRANDOM_CHACHA20_H
#define VGETRANDOM_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define VGR_CHACHA_BLOCK_SIZE 64
#define VGR_CHACHA_KEY_SIZE 32

/*
 * Writes `nblocks` 64-byte ChaCha20 blocks into out[0 .. nblocks * 64): the blocks for
 * counters counter, counter + 1, … (mod 2^64), the low 32 bits in word 12, the high in 13.
 *
 * `key` is the 32-byte key as the state holds it: eight little-endian words (on little-endian
 * hosts, plain native words), 4-byte aligned. All of it is read before any output is written,
 * so `out` may overlap it (the batch refill writes the new key over the old one). `out` needs
 * no alignment. Allocates nothing, cannot fail.
 *
 * Key material: the key's copy on the stack is wiped before returning, and so is the stack
 * the cores used (their spilled vectors) and, on x86-64, the vector registers; the kernel's
 * vDSO core (`__arch_chacha20_blocks_nostack`) avoids the stack for the same reason: no key
 * material may outlive the call in memory that is not the state's own (droppable) page.
 */
void vgr_chacha20_blocks(uint8_t *out, const uint32_t key[8], uint64_t counter, size_t nblocks);

/*
 * Step 6 of the kernel algorithm for a run of `nblocks` whole blocks, in one call: the blocks
 * for counters counter .. counter + nblocks − 1 into out[0 .. nblocks * 64), then the next two
 * into `batch_key` (the state's first 128 bytes: batch and key), so that the key they were made
 * under (batch_key[96 .. 128), read first) is overwritten by output it cannot reproduce. The same
 * bytes as vgr_chacha20_blocks(out, …, nblocks) then vgr_chacha20_blocks(batch_key, …, 2).
 * `out` must not overlap `batch_key`; it may be empty (nblocks 0). The same wiping as above.
 */
void vgr_chacha20_blocks_refill(uint8_t *out, size_t nblocks, uint8_t batch_key[2 * VGR_CHACHA_BLOCK_SIZE], uint64_t counter);

/* The core in use: "avx512", "avx2", "sse" or "scalar" (a static string). */
const char *vgr_chacha20_core(void);

#endif
