// The ChaCha20 block cores and their dispatch. See chacha20.h for the contract.
//
// Every core computes the same 16-word state per block (the DJB layout of src/core/chacha20.ts):
//
//    0 const   1 const   2 const   3 const      "expand 32-byte k"
//    4 key     5 key     6 key     7 key
//    8 key     9 key    10 key    11 key
//   12 ctr lo 13 ctr hi 14 zero   15 zero
//
// The vector cores hold the state "lanes = blocks": vector j is word j of 4 (sse), 8 (avx2) or
// 16 (avx512) consecutive blocks, so a quarter round on vectors is that quarter round on every
// block at once, no shuffles between rounds. At the end the 16 vectors are transposed back into
// blocks, stored unaligned.
//
// SIMD without compiler flags: the vector cores carry __attribute__((target(...))), so the
// rest of the addon (and this file's dispatch and scalar core) stays baseline x86-64, and a
// core runs only after __builtin_cpu_supports() said the CPU (and the OS, for AVX state) has it.

#include "chacha20.h"

#include "arena.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define VGR_X86_64 1
#include <immintrin.h>
#else
#define VGR_X86_64 0
#endif

// "expand 32-byte k" as four little-endian words.
#define C0 0x61707865u
#define C1 0x3320646eu
#define C2 0x79622d32u
#define C3 0x6b206574u

// --- helpers ---------------------------------------------------------------------------------

static inline uint32_t load32_le(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  return v;
}

static inline void store32_le(uint8_t *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  memcpy(p, &v, 4);
}

// Zeroes the stack just below the caller's frame, where the cores it called had their frames:
// spilled state vectors and hoisted key broadcasts. Every core is a noinline function called
// from vgr_chacha20_blocks, so each core's frame starts where this one's does; BURN_BYTES
// covers the deepest (gcc 12 -O2, -fstack-usage: avx512 1160 bytes plus up to 63 of alignment,
// avx2 936, sse 264, scalar 56, plus a 128-byte red zone) with room for other compilers.
#define BURN_BYTES 3072
__attribute__((noinline)) static void burn_stack(void) {
  unsigned char buf[BURN_BYTES];
  vgr_wipe(buf, sizeof buf);
}

// --- scalar core -------------------------------------------------------------------------------

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                 \
  do {                                 \
    a += b; d ^= a; d = ROTL32(d, 16); \
    c += d; b ^= c; b = ROTL32(b, 12); \
    a += b; d ^= a; d = ROTL32(d, 8);  \
    c += d; b ^= c; b = ROTL32(b, 7);  \
  } while (0)

// Any number of blocks, one at a time.
__attribute__((noinline)) static void blocks_scalar(uint8_t *out, const uint32_t k[8], uint64_t counter, size_t nblocks) {
  for (size_t n = 0; n < nblocks; n++, counter++, out += VGR_CHACHA_BLOCK_SIZE) {
    const uint32_t c_lo = (uint32_t)counter, c_hi = (uint32_t)(counter >> 32);
    uint32_t x0 = C0, x1 = C1, x2 = C2, x3 = C3;
    uint32_t x4 = k[0], x5 = k[1], x6 = k[2], x7 = k[3];
    uint32_t x8 = k[4], x9 = k[5], x10 = k[6], x11 = k[7];
    uint32_t x12 = c_lo, x13 = c_hi, x14 = 0, x15 = 0;
    for (int r = 0; r < 10; r++) {
      QR(x0, x4, x8, x12);
      QR(x1, x5, x9, x13);
      QR(x2, x6, x10, x14);
      QR(x3, x7, x11, x15);
      QR(x0, x5, x10, x15);
      QR(x1, x6, x11, x12);
      QR(x2, x7, x8, x13);
      QR(x3, x4, x9, x14);
    }
    store32_le(out + 0, x0 + C0);
    store32_le(out + 4, x1 + C1);
    store32_le(out + 8, x2 + C2);
    store32_le(out + 12, x3 + C3);
    store32_le(out + 16, x4 + k[0]);
    store32_le(out + 20, x5 + k[1]);
    store32_le(out + 24, x6 + k[2]);
    store32_le(out + 28, x7 + k[3]);
    store32_le(out + 32, x8 + k[4]);
    store32_le(out + 36, x9 + k[5]);
    store32_le(out + 40, x10 + k[6]);
    store32_le(out + 44, x11 + k[7]);
    store32_le(out + 48, x12 + c_lo);
    store32_le(out + 52, x13 + c_hi);
    store32_le(out + 56, x14);
    store32_le(out + 60, x15);
  }
}

#if VGR_X86_64

// The double round on vectors x0..x15, in terms of the core's ADD, XOR and ROTn. Named
// variables, not an array: gcc keeps an array's elements in memory across the round loop.
#define VQR(a, b, c, d)                                   \
  do {                                                    \
    ADD(x##a, x##b); XOR(x##d, x##a); ROT16(x##d);        \
    ADD(x##c, x##d); XOR(x##b, x##c); ROT12(x##b);        \
    ADD(x##a, x##b); XOR(x##d, x##a); ROT8(x##d);         \
    ADD(x##c, x##d); XOR(x##b, x##c); ROT7(x##b);         \
  } while (0)
#define VDOUBLEROUND()   \
  do {                   \
    VQR(0, 4, 8, 12);    \
    VQR(1, 5, 9, 13);    \
    VQR(2, 6, 10, 14);   \
    VQR(3, 7, 11, 15);   \
    VQR(0, 5, 10, 15);   \
    VQR(1, 6, 11, 12);   \
    VQR(2, 7, 8, 13);    \
    VQR(3, 4, 9, 14);    \
  } while (0)

// A group's 16 state vectors, lane b holding block b: the constants, the key words and the
// lanes' counters (c_lo, c_hi), nonce zero; and the feed-forward that adds them back after the
// rounds. Each core defines VEC (its vector type), SET1 (broadcast) and ZERO.
#define VINIT(c_lo, c_hi)                                                        \
  VEC x0 = SET1(C0), x1 = SET1(C1), x2 = SET1(C2), x3 = SET1(C3);                \
  VEC x4 = SET1(k[0]), x5 = SET1(k[1]), x6 = SET1(k[2]), x7 = SET1(k[3]);        \
  VEC x8 = SET1(k[4]), x9 = SET1(k[5]), x10 = SET1(k[6]), x11 = SET1(k[7]);      \
  VEC x12 = (c_lo), x13 = (c_hi), x14 = ZERO, x15 = ZERO
#define VFEEDFORWARD(c_lo, c_hi)                                                          \
  do {                                                                                    \
    ADD(x0, SET1(C0)); ADD(x1, SET1(C1)); ADD(x2, SET1(C2)); ADD(x3, SET1(C3));           \
    ADD(x4, SET1(k[0])); ADD(x5, SET1(k[1])); ADD(x6, SET1(k[2])); ADD(x7, SET1(k[3]));   \
    ADD(x8, SET1(k[4])); ADD(x9, SET1(k[5])); ADD(x10, SET1(k[6])); ADD(x11, SET1(k[7])); \
    ADD(x12, c_lo); ADD(x13, c_hi);                                                       \
  } while (0)

// --- sse core: 4 blocks per group (SSSE3 for the byte-shuffle rotations) -----------------------

#define VEC __m128i
#define SET1(w) _mm_set1_epi32((int)(w))
#define ZERO _mm_setzero_si128()
#define ADD(a, b) a = _mm_add_epi32(a, b)
#define XOR(a, b) a = _mm_xor_si128(a, b)
#define ROT16(a) a = _mm_shuffle_epi8(a, rot16)
#define ROT8(a) a = _mm_shuffle_epi8(a, rot8)
#define ROT12(a) a = _mm_or_si128(_mm_slli_epi32(a, 12), _mm_srli_epi32(a, 20))
#define ROT7(a) a = _mm_or_si128(_mm_slli_epi32(a, 7), _mm_srli_epi32(a, 25))

#define STORE_SSE(b, v) \
  if ((b) < limit) _mm_storeu_si128((__m128i *)(void *)(out + (b) * 64), v)

// Word vectors a0..a3 (lane b = that word of block b) to out + 64 b for the blocks b < limit:
// a 4×4 transpose.
__attribute__((target("ssse3"))) static inline void store4_sse(uint8_t *out, size_t limit, __m128i a0, __m128i a1, __m128i a2,
                                                               __m128i a3) {
  __m128i t0 = _mm_unpacklo_epi32(a0, a1);  // a0[0] a1[0] a0[1] a1[1]
  __m128i t1 = _mm_unpackhi_epi32(a0, a1);  // a0[2] a1[2] a0[3] a1[3]
  __m128i t2 = _mm_unpacklo_epi32(a2, a3);
  __m128i t3 = _mm_unpackhi_epi32(a2, a3);
  STORE_SSE(0, _mm_unpacklo_epi64(t0, t2));
  STORE_SSE(1, _mm_unpackhi_epi64(t0, t2));
  STORE_SSE(2, _mm_unpacklo_epi64(t1, t3));
  STORE_SSE(3, _mm_unpackhi_epi64(t1, t3));
}

// nblocks blocks, 4 at a time (a last group of fewer stores only those).
__attribute__((target("ssse3"), noinline)) static void blocks_sse(uint8_t *out, const uint32_t k[8], uint64_t counter, size_t nblocks) {
  const __m128i rot16 = _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  const __m128i rot8 = _mm_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
  for (size_t done = 0; done < nblocks; done += 4, counter += 4, out += 4 * VGR_CHACHA_BLOCK_SIZE) {
    const size_t limit = nblocks - done;  // blocks of this group to store (>= 4: all)
    // Lane b: counter + b, 64-bit, so the low word carries into the high one per lane.
    const __m128i c_lo = _mm_setr_epi32((int)(uint32_t)counter, (int)(uint32_t)(counter + 1),
                                        (int)(uint32_t)(counter + 2), (int)(uint32_t)(counter + 3));
    const __m128i c_hi = _mm_setr_epi32((int)(uint32_t)(counter >> 32), (int)(uint32_t)((counter + 1) >> 32),
                                        (int)(uint32_t)((counter + 2) >> 32), (int)(uint32_t)((counter + 3) >> 32));
    VINIT(c_lo, c_hi);
    for (int r = 0; r < 10; r++) VDOUBLEROUND();
    VFEEDFORWARD(c_lo, c_hi);
    store4_sse(out, limit, x0, x1, x2, x3);
    store4_sse(out + 16, limit, x4, x5, x6, x7);
    store4_sse(out + 32, limit, x8, x9, x10, x11);
    store4_sse(out + 48, limit, x12, x13, x14, x15);
  }
}

#undef VEC
#undef SET1
#undef ZERO
#undef ADD
#undef XOR
#undef ROT16
#undef ROT8
#undef ROT12
#undef ROT7

// --- avx2 core: 8 blocks per group -------------------------------------------------------------

#define VEC __m256i
#define SET1(w) _mm256_set1_epi32((int)(w))
#define ZERO _mm256_setzero_si256()
#define ADD(a, b) a = _mm256_add_epi32(a, b)

// The 10 double rounds of the avx2 core, in assembly, over the 16 state vectors in `x` (memory):
// sixteen ymm registers hold 14 of them and the two temporaries of two interleaved quarter
// rounds. x8..x11 (the c row) stay in memory, two of them in registers at a time (x8, x9 for the
// first half of each round, x10, x11 for the second), as OpenSSL's ChaCha20_8x keeps them, and the
// rotation masks are memory operands. Left to itself, gcc 12 keeps a dozen state vectors on the
// stack (26 loads and stores a double round). Measured on an Intel Xeon (AVX-512 CPU, the core
// capped to avx2, 1 MiB runs): 2.33–2.41 GB/s against gcc's 2.16; OpenSSL's own AVX2 path
// (OPENSSL_ia32cap=:~0x80010000, which also hides AVX-512VL) runs 2.13 there.
//   ymm0-7: x0..x7   ymm8, ymm9: the c pair in use   ymm10-13: x12..x15   ymm14, ymm15: temporaries
// Half of two interleaved quarter rounds: a += b; d ^= a; d <<<= 16 or 8 (a byte shuffle by
// the mask at `mask`); c += d; b ^= c; b <<<= l (r = 32 - l), each step for one and then the other.
#define HALF_QR2_ASM(a, b, c, d, e, f, g, h, mask, l, r)                                          \
  "vpaddd " b ", " a ", " a "\n\t" "vpaddd " f ", " e ", " e "\n\t"                                \
  "vpxor " a ", " d ", " d "\n\t" "vpxor " e ", " h ", " h "\n\t"                                  \
  "vpshufb " mask ", " d ", " d "\n\t" "vpshufb " mask ", " h ", " h "\n\t"                        \
  "vpaddd " d ", " c ", " c "\n\t" "vpaddd " h ", " g ", " g "\n\t"                                \
  "vpxor " c ", " b ", " b "\n\t" "vpxor " g ", " f ", " f "\n\t"                                  \
  "vpslld $" l ", " b ", %%ymm14\n\t" "vpsrld $" r ", " b ", " b "\n\t"                             \
  "vpslld $" l ", " f ", %%ymm15\n\t" "vpsrld $" r ", " f ", " f "\n\t"                             \
  "vpor %%ymm14, " b ", " b "\n\t" "vpor %%ymm15, " f ", " f "\n\t"
#define QR2_ASM(a, b, c, d, e, f, g, h)                                    \
  HALF_QR2_ASM(a, b, c, d, e, f, g, h, "(%[masks])", "12", "20")            \
  HALF_QR2_ASM(a, b, c, d, e, f, g, h, "32(%[masks])", "7", "25")
#define X0 "%%ymm0"
#define X1 "%%ymm1"
#define X2 "%%ymm2"
#define X3 "%%ymm3"
#define X4 "%%ymm4"
#define X5 "%%ymm5"
#define X6 "%%ymm6"
#define X7 "%%ymm7"
#define CA "%%ymm8"
#define CB "%%ymm9"
#define X12 "%%ymm10"
#define X13 "%%ymm11"
#define X14 "%%ymm12"
#define X15 "%%ymm13"

// The byte shuffles that rotate each 32-bit lane by 16 (first) and by 8 (second).
static const uint8_t ROT_MASKS_AVX2[64] __attribute__((aligned(32))) = {
    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13,
    3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14};

__attribute__((target("avx2"))) static inline void rounds_avx2(__m256i x[16]) {
  unsigned n = 10;
  __asm__ __volatile__(
      "vmovdqu 0(%[x]), " X0 "\n\t" "vmovdqu 32(%[x]), " X1 "\n\t" "vmovdqu 64(%[x]), " X2 "\n\t"
      "vmovdqu 96(%[x]), " X3 "\n\t" "vmovdqu 128(%[x]), " X4 "\n\t" "vmovdqu 160(%[x]), " X5 "\n\t"
      "vmovdqu 192(%[x]), " X6 "\n\t" "vmovdqu 224(%[x]), " X7 "\n\t" "vmovdqu 256(%[x]), " CA "\n\t"
      "vmovdqu 288(%[x]), " CB "\n\t" "vmovdqu 384(%[x]), " X12 "\n\t" "vmovdqu 416(%[x]), " X13 "\n\t"
      "vmovdqu 448(%[x]), " X14 "\n\t" "vmovdqu 480(%[x]), " X15 "\n\t"
      "1:\n\t"
      QR2_ASM(X0, X4, CA, X12, X1, X5, CB, X13)
      "vmovdqu " CA ", 256(%[x])\n\t" "vmovdqu " CB ", 288(%[x])\n\t"
      "vmovdqu 320(%[x]), " CA "\n\t" "vmovdqu 352(%[x]), " CB "\n\t"
      QR2_ASM(X2, X6, CA, X14, X3, X7, CB, X15)
      QR2_ASM(X0, X5, CA, X15, X1, X6, CB, X12)
      "vmovdqu " CA ", 320(%[x])\n\t" "vmovdqu " CB ", 352(%[x])\n\t"
      "vmovdqu 256(%[x]), " CA "\n\t" "vmovdqu 288(%[x]), " CB "\n\t"
      QR2_ASM(X2, X7, CA, X13, X3, X4, CB, X14)
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vmovdqu " X0 ", 0(%[x])\n\t" "vmovdqu " X1 ", 32(%[x])\n\t" "vmovdqu " X2 ", 64(%[x])\n\t"
      "vmovdqu " X3 ", 96(%[x])\n\t" "vmovdqu " X4 ", 128(%[x])\n\t" "vmovdqu " X5 ", 160(%[x])\n\t"
      "vmovdqu " X6 ", 192(%[x])\n\t" "vmovdqu " X7 ", 224(%[x])\n\t" "vmovdqu " CA ", 256(%[x])\n\t"
      "vmovdqu " CB ", 288(%[x])\n\t" "vmovdqu " X12 ", 384(%[x])\n\t" "vmovdqu " X13 ", 416(%[x])\n\t"
      "vmovdqu " X14 ", 448(%[x])\n\t" "vmovdqu " X15 ", 480(%[x])\n\t"
      : [n] "+r"(n), "+m"(*(__m256i(*)[16])x)
      : [x] "r"(x), [masks] "r"(ROT_MASKS_AVX2)
      : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15");
}

#define STORE_AVX2(b, v) \
  if ((b) < limit) _mm256_storeu_si256((__m256i *)(void *)(out + (b) * 64), v)

// Word vectors a0..a7 (lane b = that word of block b) to out + 64 b for the blocks b < limit:
// an 8×8 transpose. The unpacks work within 128-bit halves (blocks 0–3 low, 4–7 high); the
// permutes pair the halves up.
__attribute__((target("avx2"))) static inline void store8_avx2(uint8_t *out, size_t limit, __m256i a0, __m256i a1, __m256i a2,
                                                               __m256i a3, __m256i a4, __m256i a5, __m256i a6, __m256i a7) {
  __m256i t0 = _mm256_unpacklo_epi32(a0, a1);  // a0[0] a1[0] a0[1] a1[1] | the same of [4], [5]
  __m256i t1 = _mm256_unpackhi_epi32(a0, a1);  // a0[2] a1[2] a0[3] a1[3] | of [6], [7]
  __m256i t2 = _mm256_unpacklo_epi32(a2, a3);
  __m256i t3 = _mm256_unpackhi_epi32(a2, a3);
  __m256i t4 = _mm256_unpacklo_epi32(a4, a5);
  __m256i t5 = _mm256_unpackhi_epi32(a4, a5);
  __m256i t6 = _mm256_unpacklo_epi32(a6, a7);
  __m256i t7 = _mm256_unpackhi_epi32(a6, a7);
  __m256i u0 = _mm256_unpacklo_epi64(t0, t2);  // words 0–3 of block 0 | of block 4
  __m256i u1 = _mm256_unpackhi_epi64(t0, t2);  // block 1 | block 5
  __m256i u2 = _mm256_unpacklo_epi64(t1, t3);  // block 2 | block 6
  __m256i u3 = _mm256_unpackhi_epi64(t1, t3);  // block 3 | block 7
  __m256i u4 = _mm256_unpacklo_epi64(t4, t6);  // words 4–7 of block 0 | of block 4
  __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
  __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
  __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
  STORE_AVX2(0, _mm256_permute2x128_si256(u0, u4, 0x20));
  STORE_AVX2(1, _mm256_permute2x128_si256(u1, u5, 0x20));
  STORE_AVX2(2, _mm256_permute2x128_si256(u2, u6, 0x20));
  STORE_AVX2(3, _mm256_permute2x128_si256(u3, u7, 0x20));
  STORE_AVX2(4, _mm256_permute2x128_si256(u0, u4, 0x31));
  STORE_AVX2(5, _mm256_permute2x128_si256(u1, u5, 0x31));
  STORE_AVX2(6, _mm256_permute2x128_si256(u2, u6, 0x31));
  STORE_AVX2(7, _mm256_permute2x128_si256(u3, u7, 0x31));
}

// nblocks blocks, 8 at a time (a last group of fewer stores only those). Clears every vector
// register before returning (vzeroall): they held key-derived state.
__attribute__((target("avx2"), noinline)) static void blocks_avx2(uint8_t *out, const uint32_t k[8], uint64_t counter, size_t nblocks) {
  for (size_t done = 0; done < nblocks; done += 8, counter += 8, out += 8 * VGR_CHACHA_BLOCK_SIZE) {
    const size_t limit = nblocks - done;  // blocks of this group to store (>= 8: all)
    // Lane b: counter + b, 64-bit, so the low word carries into the high one per lane.
    uint32_t lo[8], hi[8];
    for (int b = 0; b < 8; b++) {
      lo[b] = (uint32_t)(counter + (uint64_t)b);
      hi[b] = (uint32_t)((counter + (uint64_t)b) >> 32);
    }
    const __m256i c_lo = _mm256_loadu_si256((const __m256i *)(const void *)lo);
    const __m256i c_hi = _mm256_loadu_si256((const __m256i *)(const void *)hi);
    VINIT(c_lo, c_hi);
    __m256i x[16] = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
    rounds_avx2(x);
    x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
    x8 = x[8], x9 = x[9], x10 = x[10], x11 = x[11], x12 = x[12], x13 = x[13], x14 = x[14], x15 = x[15];
    VFEEDFORWARD(c_lo, c_hi);
    store8_avx2(out, limit, x0, x1, x2, x3, x4, x5, x6, x7);
    store8_avx2(out + 32, limit, x8, x9, x10, x11, x12, x13, x14, x15);
  }
  _mm256_zeroall();
}

#undef VEC
#undef SET1
#undef ZERO
#undef ADD
#undef QR2_ASM
#undef HALF_QR2_ASM
#undef X0
#undef X1
#undef X2
#undef X3
#undef X4
#undef X5
#undef X6
#undef X7
#undef CA
#undef CB
#undef X12
#undef X13
#undef X14
#undef X15

// --- avx512 core: 16 blocks per group ----------------------------------------------------------

// 32 vector registers hold the whole state with room to spare, and vprold rotates in one
// instruction: no spills, no byte-shuffle masks.
#define VEC __m512i
#define SET1(w) _mm512_set1_epi32((int)(w))
#define ZERO _mm512_setzero_si512()
#define ADD(a, b) a = _mm512_add_epi32(a, b)
#define XOR(a, b) a = _mm512_xor_si512(a, b)
#define ROT16(a) a = _mm512_rol_epi32(a, 16)
#define ROT12(a) a = _mm512_rol_epi32(a, 12)
#define ROT8(a) a = _mm512_rol_epi32(a, 8)
#define ROT7(a) a = _mm512_rol_epi32(a, 7)

// Word vectors a0..a3 (lane b = that word of block b), in place: afterwards 128-bit chunk c
// of the r-th of them holds these four words of block 4c + r (a 4×4 transpose in each chunk).
#define TRANSPOSE4_512(a0, a1, a2, a3)                  \
  do {                                                  \
    __m512i t0 = _mm512_unpacklo_epi32(a0, a1);         \
    __m512i t1 = _mm512_unpackhi_epi32(a0, a1);         \
    __m512i t2 = _mm512_unpacklo_epi32(a2, a3);         \
    __m512i t3 = _mm512_unpackhi_epi32(a2, a3);         \
    a0 = _mm512_unpacklo_epi64(t0, t2);                 \
    a1 = _mm512_unpackhi_epi64(t0, t2);                 \
    a2 = _mm512_unpacklo_epi64(t1, t3);                 \
    a3 = _mm512_unpackhi_epi64(t1, t3);                 \
  } while (0)

#define STORE_AVX512(b, v) \
  if ((b) < limit) _mm512_storeu_si512((void *)(out + (b) * 64), v)

// Blocks r, 4 + r, 8 + r, 12 + r (those < limit) from w0..w3 (chunk c of wq: words 4q..4q+3 of
// block 4c + r): a 4×4 transpose of 128-bit chunks, then one 64-byte store per block.
__attribute__((target("avx512f"))) static inline void store4_avx512(uint8_t *out, size_t limit, size_t r, __m512i w0, __m512i w1,
                                                                    __m512i w2, __m512i w3) {
  __m512i p0 = _mm512_shuffle_i32x4(w0, w1, _MM_SHUFFLE(2, 0, 2, 0));  // w0.c0 w0.c2 w1.c0 w1.c2
  __m512i p1 = _mm512_shuffle_i32x4(w0, w1, _MM_SHUFFLE(3, 1, 3, 1));  // w0.c1 w0.c3 w1.c1 w1.c3
  __m512i p2 = _mm512_shuffle_i32x4(w2, w3, _MM_SHUFFLE(2, 0, 2, 0));
  __m512i p3 = _mm512_shuffle_i32x4(w2, w3, _MM_SHUFFLE(3, 1, 3, 1));
  STORE_AVX512(0 + r, _mm512_shuffle_i32x4(p0, p2, _MM_SHUFFLE(2, 0, 2, 0)));
  STORE_AVX512(4 + r, _mm512_shuffle_i32x4(p1, p3, _MM_SHUFFLE(2, 0, 2, 0)));
  STORE_AVX512(8 + r, _mm512_shuffle_i32x4(p0, p2, _MM_SHUFFLE(3, 1, 3, 1)));
  STORE_AVX512(12 + r, _mm512_shuffle_i32x4(p1, p3, _MM_SHUFFLE(3, 1, 3, 1)));
}

// nblocks blocks, 16 at a time (a last group of fewer stores only those). Clears the vector
// registers before returning.
__attribute__((target("avx512f"), noinline)) static void blocks_avx512(uint8_t *out, const uint32_t k[8], uint64_t counter, size_t nblocks) {
  for (size_t done = 0; done < nblocks; done += 16, counter += 16, out += 16 * VGR_CHACHA_BLOCK_SIZE) {
    const size_t limit = nblocks - done;  // blocks of this group to store (>= 16: all)
    // Lane b: counter + b, 64-bit, so the low word carries into the high one per lane.
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i c_lo = _mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)counter), lanes);
    // A lane whose low word wrapped (ended below where it started) carries 1 into its high word.
    const __mmask16 carry = _mm512_cmplt_epu32_mask(c_lo, _mm512_set1_epi32((int)(uint32_t)counter));
    const __m512i c_hi = _mm512_mask_add_epi32(_mm512_set1_epi32((int)(uint32_t)(counter >> 32)), carry,
                                               _mm512_set1_epi32((int)(uint32_t)(counter >> 32)), _mm512_set1_epi32(1));
    VINIT(c_lo, c_hi);
    for (int r = 0; r < 10; r++) VDOUBLEROUND();
    VFEEDFORWARD(c_lo, c_hi);
    TRANSPOSE4_512(x0, x1, x2, x3);
    TRANSPOSE4_512(x4, x5, x6, x7);
    TRANSPOSE4_512(x8, x9, x10, x11);
    TRANSPOSE4_512(x12, x13, x14, x15);
    store4_avx512(out, limit, 0, x0, x4, x8, x12);
    store4_avx512(out, limit, 1, x1, x5, x9, x13);
    store4_avx512(out, limit, 2, x2, x6, x10, x14);
    store4_avx512(out, limit, 3, x3, x7, x11, x15);
  }
  // vzeroall clears zmm0–15 entirely (upper bits included); zmm16–31 by hand.
  _mm256_zeroall();
  __asm__ __volatile__(
      "vpxord %%zmm16, %%zmm16, %%zmm16\n\tvpxord %%zmm17, %%zmm17, %%zmm17\n\t"
      "vpxord %%zmm18, %%zmm18, %%zmm18\n\tvpxord %%zmm19, %%zmm19, %%zmm19\n\t"
      "vpxord %%zmm20, %%zmm20, %%zmm20\n\tvpxord %%zmm21, %%zmm21, %%zmm21\n\t"
      "vpxord %%zmm22, %%zmm22, %%zmm22\n\tvpxord %%zmm23, %%zmm23, %%zmm23\n\t"
      "vpxord %%zmm24, %%zmm24, %%zmm24\n\tvpxord %%zmm25, %%zmm25, %%zmm25\n\t"
      "vpxord %%zmm26, %%zmm26, %%zmm26\n\tvpxord %%zmm27, %%zmm27, %%zmm27\n\t"
      "vpxord %%zmm28, %%zmm28, %%zmm28\n\tvpxord %%zmm29, %%zmm29, %%zmm29\n\t"
      "vpxord %%zmm30, %%zmm30, %%zmm30\n\tvpxord %%zmm31, %%zmm31, %%zmm31"
      :
      :
      : "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
        "xmm28", "xmm29", "xmm30", "xmm31");
}

#undef VEC
#undef SET1
#undef ZERO
#undef ADD
#undef XOR
#undef ROT16
#undef ROT8
#undef ROT12
#undef ROT7

// Zeroes xmm0–15 (the sse core's state; SSE2 is baseline x86-64).
static inline void wipe_xmm(void) {
  __asm__ __volatile__(
      "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
      "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\tpxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
      "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
      "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"
      :
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15");
}

#endif  // VGR_X86_64

// --- dispatch ----------------------------------------------------------------------------------

enum core { CORE_SCALAR, CORE_SSE, CORE_AVX2, CORE_AVX512 };
static const char *const core_names[] = {"scalar", "sse", "avx2", "avx512"};

static enum core selected = CORE_SCALAR;
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

static void select_core(void) {
  enum core best = CORE_SCALAR;
#if VGR_X86_64
  __builtin_cpu_init();
  // libgcc's avx2 bit also requires the OS to save the ymm state (XGETBV), so it is usable.
  if (__builtin_cpu_supports("ssse3")) best = CORE_SSE;
  if (best == CORE_SSE && __builtin_cpu_supports("avx2")) best = CORE_AVX2;
  if (best == CORE_AVX2 && __builtin_cpu_supports("avx512f")) best = CORE_AVX512;
#endif
  enum core cap = CORE_AVX512;
  const char *want = getenv("VGETRANDOM_CHACHA");
  // A cap, for tests and benchmarks (chacha20.h); anything else (unset, "auto") is no cap.
  if (want != NULL) {
    if (strcmp(want, "scalar") == 0) cap = CORE_SCALAR;
    else if (strcmp(want, "sse") == 0) cap = CORE_SSE;
    else if (strcmp(want, "avx2") == 0) cap = CORE_AVX2;
  }
  selected = best < cap ? best : cap;
}

static inline enum core core(void) {
  pthread_once(&select_once, select_core);
  return selected;
}

const char *vgr_chacha20_core(void) {
  return core_names[core()];
}

// Blocks per group of core `c`: 16, 8 or 4 lanes, or 1 (scalar).
static inline size_t group_of(enum core c) {
  return c == CORE_AVX512 ? 16 : c == CORE_AVX2 ? 8 : c == CORE_SSE ? 4 : 1;
}

// `nblocks` blocks on core `c`. A vector core computes whole groups; a last, partial group costs
// about as much as a whole one and stores only the blocks asked for. Only a lone last block is
// cheaper on the scalar core.
static void run_core(enum core c, uint8_t *out, const uint32_t k[8], uint64_t counter, size_t nblocks) {
  size_t done = 0;
#if VGR_X86_64
  if (c != CORE_SCALAR) {
    done = nblocks - (nblocks % group_of(c) == 1);
    if (c == CORE_AVX512) blocks_avx512(out, k, counter, done);
    else if (c == CORE_AVX2) blocks_avx2(out, k, counter, done);
    else blocks_sse(out, k, counter, done);
    wipe_xmm();
  }
#endif
  blocks_scalar(out + done * VGR_CHACHA_BLOCK_SIZE, k, counter + done, nblocks - done);
}

void vgr_chacha20_blocks(uint8_t *out, const uint32_t key[8], uint64_t counter, size_t nblocks) {
  // The whole key, first: `out` may overlap it.
  uint32_t k[8];
  for (int i = 0; i < 8; i++) k[i] = load32_le((const uint8_t *)key + 4 * i);
  run_core(core(), out, k, counter, nblocks);
  vgr_wipe(k, sizeof k);
  burn_stack();
}

// Copies `n` blocks, 8 bytes at a time, in code of this file: not glibc's memcpy, whose AVX and
// AVX-512 variants would leave blocks in ymm and zmm registers (zmm16–31 among them) that the
// wipes here do not reach on every core.
static void copy_blocks(uint8_t *dst, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n * VGR_CHACHA_BLOCK_SIZE; i += 8) {
    uint64_t v;
    __builtin_memcpy(&v, src + i, 8);
    __builtin_memcpy(dst + i, &v, 8);
  }
}

void vgr_chacha20_blocks_refill(uint8_t *out, size_t nblocks, uint8_t batch_key[2 * VGR_CHACHA_BLOCK_SIZE], uint64_t counter) {
  const enum core c = core();
  const size_t g = group_of(c);
  uint32_t k[8];
  for (int i = 0; i < 8; i++) k[i] = load32_le(batch_key + 2 * VGR_CHACHA_BLOCK_SIZE - VGR_CHACHA_KEY_SIZE + 4 * i);
  // The whole groups of the run straight into `out`; the rest of the run and the two refill
  // blocks as one more run (at most a group and a block), through the stack: one vector group
  // serves the run's tail and the refill, where the TypeScript core would compute two blocks.
  size_t head = nblocks - nblocks % g;
  size_t rest = nblocks - head;
  run_core(c, out, k, counter, head);
  uint8_t tail[(16 + 2) * VGR_CHACHA_BLOCK_SIZE];
  run_core(c, tail, k, counter + head, rest + 2);
  copy_blocks(out + head * VGR_CHACHA_BLOCK_SIZE, tail, rest);
  copy_blocks(batch_key, tail + rest * VGR_CHACHA_BLOCK_SIZE, 2);
  // The tail held output and the next key: nothing of it may outlive the call off the state's page.
  vgr_wipe(tail, sizeof tail);
  vgr_wipe(k, sizeof k);
#if VGR_X86_64
  // The copies went through vector registers (the compiler's, baseline: xmm only).
  wipe_xmm();
#endif
  burn_stack();
}
