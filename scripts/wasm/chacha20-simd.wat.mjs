// The WebAssembly text of the SIMD ChaCha20 core (src/core/chacha20-simd.ts runs it), written out
// by this generator as OpenSSL's perlasm writes its assembly: the quarter rounds, the transpose
// and the stores are the same few lines for every word, so they are made by loops here, and the
// text that comes out is plain WAT. scripts/build-wasm.mjs assembles it with wabt.
//
// blocks4: four blocks at a time, one per 32-bit lane of a v128 ("lanes = blocks", as the addon's vector
// cores do: native/chacha20.c): local $xj holds word j of the four blocks, so a quarter round on
// locals is that quarter round on every block, and no shuffle runs between rounds. The state of
// a group, as in src/core/chacha20.ts:
//
//    0 const   1 const   2 const   3 const      "expand 32-byte k"
//    4 key     5 key     6 key     7 key
//    8 key     9 key    10 key    11 key
//   12 ctr lo 13 ctr hi 14 zero   15 zero      lane b: counter + b, 64-bit (the low word carries)
//
// Memory (one page, never grown, so the JS views of it are never detached):
//   [0, 32)        the key, eight little-endian words, written by the caller before each call
//   [1024, 65536)  the output: `groups` × 4 blocks × 64 bytes, block after block
// The caller wipes both after every call: they hold key material in ordinary memory.
//
// Exports, each reading the key at 0 and writing from offset 1024, the first block with counter
// hi·2^32 + lo:
//   blocks4(lo, hi, groups)  groups × 4 blocks (groups in 1 .. 252), lanes = blocks, as above;
//   refill2(lo, hi)          the 2 blocks of a refill, row by row (see refill2() below);
// and wipeRefill(), which zeroes what a refill leaves there (the key, and its 2 blocks once the
// caller has copied them out): ten vector stores, where %TypedArray%.prototype.fill is a call
// into the engine's C++.

const C = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
/** The shuffles of a 32-bit rotation by 16 and by 8 within each lane (one byte shuffle each). */
const ROT16 = [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13];
const ROT8 = [3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14];
/** i8x16.shuffle patterns of the 4×4 transpose (SSE's unpack{lo,hi}_epi{32,64}). */
const LO32 = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
const HI32 = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
const LO64 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HI64 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
export const OUT_OFFSET = 1024;

const range = (n) => Array.from({ length: n }, (_, i) => i);
const shuffle = (a, b, lanes) => `local.get ${a} local.get ${b} i8x16.shuffle ${lanes.join(' ')}`;
const add = (a, b) => `local.get $x${a} local.get $x${b} i32x4.add local.set $x${a}`;
const xor = (a, b) => `local.get $x${a} local.get $x${b} v128.xor local.set $x${a}`;
const rot = (a, n) =>
  n === 16 || n === 8
    ? `${shuffle(`$x${a}`, `$x${a}`, n === 16 ? ROT16 : ROT8)} local.set $x${a}`
    : `local.get $x${a} i32.const ${n} i32x4.shl local.get $x${a} i32.const ${32 - n} i32x4.shr_u v128.or local.set $x${a}`;
const quarter = (a, b, c, d) => [
  add(a, b),
  xor(d, a),
  rot(d, 16),
  add(c, d),
  xor(b, c),
  rot(b, 12),
  add(a, b),
  xor(d, a),
  rot(d, 8),
  add(c, d),
  xor(b, c),
  rot(b, 7),
];

/** Stores words 4q .. 4q + 3 of the group's four blocks: a 4×4 transpose, then one store per block. */
function store(q) {
  const [a, b, c, d] = range(4).map((i) => `$x${4 * q + i}`);
  return [
    `${shuffle(a, b, LO32)} local.set $t0`,
    `${shuffle(a, b, HI32)} local.set $t1`,
    `${shuffle(c, d, LO32)} local.set $t2`,
    `${shuffle(c, d, HI32)} local.set $t3`,
    `local.get $out ${shuffle('$t0', '$t2', LO64)} v128.store offset=${16 * q}`,
    `local.get $out ${shuffle('$t0', '$t2', HI64)} v128.store offset=${64 + 16 * q}`,
    `local.get $out ${shuffle('$t1', '$t3', LO64)} v128.store offset=${128 + 16 * q}`,
    `local.get $out ${shuffle('$t1', '$t3', HI64)} v128.store offset=${192 + 16 * q}`,
  ];
}

// refill2: the two blocks of a refill (the state's batch and key), row by row: a v128 holds one
// row of the 4×4 state of one block (a: the constants, b and c: the key, d: counter, 0, 0), the
// diagonal round runs on rows rotated by one, two and three lanes, and the two blocks are
// interleaved, step by step, for the CPU to overlap. Reads the key at [0, 32), writes block
// counter and counter + 1 at [1024, 1152).
const ROW = ['a', 'b', 'c', 'd'];
/** i8x16.shuffle of a row rotated left by `n` lanes. */
const rotl = (n) => range(16).map((i) => (i + 4 * n) % 16);
const rowOp = (blk, x, y, op) => `local.get $${x}${blk} local.get $${y}${blk} ${op} local.set $${x}${blk}`;
const rowRot = (blk, x, n) =>
  n === 16 || n === 8
    ? `${shuffle(`$${x}${blk}`, `$${x}${blk}`, n === 16 ? ROT16 : ROT8)} local.set $${x}${blk}`
    : `local.get $${x}${blk} i32.const ${n} i32x4.shl local.get $${x}${blk} i32.const ${32 - n} i32x4.shr_u v128.or local.set $${x}${blk}`;
/** One quarter round on the rows of both blocks, step by step. */
const rowQuarter = () =>
  [
    ['a', 'b', 'add'],
    ['d', 'a', 'xor', 16],
    ['c', 'd', 'add'],
    ['b', 'c', 'xor', 12],
    ['a', 'b', 'add'],
    ['d', 'a', 'xor', 8],
    ['c', 'd', 'add'],
    ['b', 'c', 'xor', 7],
  ].flatMap(([x, y, op, n]) =>
    [1, 2].flatMap((blk) => [rowOp(blk, x, y, op === 'add' ? 'i32x4.add' : 'v128.xor'), ...(n === undefined ? [] : [rowRot(blk, x, n)])]),
  );
/** Rotates rows b, c, d of both blocks left by 1, 2, 3 lanes (`sign` 1) or back (`sign` -1). */
const diagonal = (sign) =>
  [1, 2].flatMap((blk) =>
    ['b', 'c', 'd'].map((x, i) => `${shuffle(`$${x}${blk}`, `$${x}${blk}`, rotl((4 + sign * (i + 1)) % 4))} local.set $${x}${blk}`),
  );

function refill2() {
  const locals = [1, 2].flatMap((blk) => ROW.map((x) => `$${x}${blk}`)).concat(['$a0', '$b0', '$c0', '$d01', '$d02']);
  return [
    '  (func (export "refill2") (param $lo i32) (param $hi i32)',
    `    ${locals.map((l) => `(local ${l} v128)`).join(' ')} (local $r i32)`,
    `    v128.const i32x4 ${C.join(' ')} local.set $a0`,
    '    i32.const 0 v128.load offset=0 local.set $b0',
    '    i32.const 0 v128.load offset=16 local.set $c0',
    // d: (counter low, counter high, 0, 0); the second block's counter is one more, carried.
    '    v128.const i64x2 0 0 local.get $lo i32x4.replace_lane 0 local.get $hi i32x4.replace_lane 1 local.set $d01',
    '    v128.const i64x2 0 0 local.get $lo i32.const 1 i32.add i32x4.replace_lane 0',
    '    local.get $hi local.get $lo i32.const 1 i32.add i32.eqz i32.add i32x4.replace_lane 1 local.set $d02',
    ...[1, 2].flatMap((blk) => [
      `    local.get $a0 local.set $a${blk}`,
      `    local.get $b0 local.set $b${blk}`,
      `    local.get $c0 local.set $c${blk}`,
      `    local.get $d0${blk} local.set $d${blk}`,
    ]),
    '    i32.const 10 local.set $r',
    '    loop $double_round',
    ...[...rowQuarter(), ...diagonal(1), ...rowQuarter(), ...diagonal(-1)].map((line) => `      ${line}`),
    '      local.get $r i32.const 1 i32.sub local.tee $r',
    '      br_if $double_round',
    '    end',
    ...[1, 2].flatMap((blk) =>
      ROW.map(
        (x, i) =>
          `    i32.const ${OUT_OFFSET + 64 * (blk - 1)} local.get $${x}${blk} local.get $${x}${x === 'd' ? `0${blk}` : '0'} i32x4.add v128.store offset=${16 * i}`,
      ),
    ),
    '  )',
  ];
}

/** The module's text. */
export function chacha20SimdWat() {
  const body = [
    // The key words, each broadcast to the four lanes once per call.
    ...range(8).map((i) => `i32.const 0 i32.load offset=${4 * i} i32x4.splat local.set $k${i + 4}`),
    `i32.const ${OUT_OFFSET} local.set $out`,
    'loop $group',
    // Lane b: lo + b, and hi + 1 where the low word wrapped (lt_u gives -1 there).
    '  local.get $lo i32x4.splat v128.const i32x4 0 1 2 3 i32x4.add local.set $x12',
    '  local.get $hi i32x4.splat local.get $x12 local.get $lo i32x4.splat i32x4.lt_u i32x4.sub local.set $x13',
    '  local.get $x12 local.set $c12',
    '  local.get $x13 local.set $c13',
    ...range(4).map((i) => `  v128.const i32x4 ${C[i]} ${C[i]} ${C[i]} ${C[i]} local.set $x${i}`),
    ...range(8).map((i) => `  local.get $k${i + 4} local.set $x${i + 4}`),
    '  v128.const i64x2 0 0 local.set $x14',
    '  v128.const i64x2 0 0 local.set $x15',
    '  i32.const 10 local.set $r',
    '  loop $double_round',
    ...[
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
      [0, 5, 10, 15],
      [1, 6, 11, 12],
      [2, 7, 8, 13],
      [3, 4, 9, 14],
    ].flatMap((q) => quarter(...q).map((line) => `    ${line}`)),
    '    local.get $r i32.const 1 i32.sub local.tee $r',
    '    br_if $double_round',
    '  end',
    // The feed-forward: the input state added back, lane by lane.
    ...range(4).map((i) => `  local.get $x${i} v128.const i32x4 ${C[i]} ${C[i]} ${C[i]} ${C[i]} i32x4.add local.set $x${i}`),
    ...range(8).map((i) => `  local.get $x${i + 4} local.get $k${i + 4} i32x4.add local.set $x${i + 4}`),
    '  local.get $x12 local.get $c12 i32x4.add local.set $x12',
    '  local.get $x13 local.get $c13 i32x4.add local.set $x13',
    ...range(4).flatMap((q) => store(q).map((line) => `  ${line}`)),
    '  local.get $out i32.const 256 i32.add local.set $out',
    // The next group's counter: lo + 4, carrying into hi.
    '  local.get $lo i32.const 4 i32.add local.set $lo',
    '  local.get $hi local.get $lo i32.const 4 i32.lt_u i32.add local.set $hi',
    '  local.get $groups i32.const 1 i32.sub local.tee $groups',
    '  br_if $group',
    'end',
  ];
  const locals = [...range(16).map((i) => `$x${i}`), ...range(8).map((i) => `$k${i + 4}`), '$c12', '$c13', '$t0', '$t1', '$t2', '$t3'];
  return [
    '(module',
    '  (memory (export "memory") 1 1)',
    '  (func (export "blocks4") (param $lo i32) (param $hi i32) (param $groups i32)',
    `    ${locals.map((l) => `(local ${l} v128)`).join(' ')}`,
    '    (local $out i32) (local $r i32)',
    ...body.map((line) => `    ${line}`),
    '  )',
    ...refill2(),
    '  (func (export "wipeRefill")',
    ...[0, 16].map((at) => `    i32.const ${at} v128.const i64x2 0 0 v128.store`),
    ...range(8).map((i) => `    i32.const ${OUT_OFFSET + 16 * i} v128.const i64x2 0 0 v128.store`),
    '  )',
    ')',
    '',
  ].join('\n');
}
