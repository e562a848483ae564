// What the suite compares. Byte sources, each prepared for one request size: vgetrandom (the
// default API, and a generator per backend), node:crypto, the kernel's vDSO getrandom() and
// getrandom(2) through the addon (called from JS, and timed inside C), @noble/ciphers'
// rngChacha20 as the userspace-JS peer, and OpenSSL's ChaCha20 as the throughput anchor. ID workloads: UUIDs, randomInt and nanoid, each by
// vgetrandom and by Node or the library's own random source.

import * as nodeCrypto from 'node:crypto';
import { rngChacha20 } from '@noble/ciphers/chacha.js';
import { customRandom, nanoid, urlAlphabet } from 'nanoid';
import { v4 as uuidV4 } from 'uuid';
import { createGenerator, getrandom, randomFillSync, randomInt, randomUUID } from '../src/index.js';
import { loadNative } from '../src/platform/addon/binding.js';
import { type Run, timeJs } from './measure.js';
import { opensslCap, opensslChacha20Ns, opensslMissing } from './openssl.js';

/** One source prepared for one request size. */
export interface Prepared {
  run: Run;
  /** One request's output, for the cross-check; undefined when the bytes stay inside C. */
  draw(): Uint8Array | undefined;
}

export interface ByteSource {
  name: string;
  /** Why the source cannot run here; undefined when it can. */
  unavailable?: string;
  prepare(size: number): Prepared;
}

/** The source every byte figure is compared with. */
export const BASELINE = 'crypto.getRandomValues';

/** WebCrypto's limit on one getRandomValues request, in bytes. */
const QUOTA = 65536;

/** A source called from JS: `op` makes one request, `output` turns its result into the bytes. */
function fromJs<R>(op: () => R, output: (result: R) => Uint8Array): Prepared {
  return { run: timeJs(op), draw: () => output(op()) };
}

/** A getrandom(2)-shaped fill of `buf`, which returns the count written. */
function counted(buf: Uint8Array, fill: (buf: Uint8Array) => number): Prepared {
  return fromJs(
    () => fill(buf),
    (n) => buf.subarray(0, n),
  );
}

/** A buffer of `size` bytes that `fill` refills in place, in views of at most `chunk` bytes. */
function filling(size: number, fill: (view: Uint8Array) => unknown, chunk = size): Prepared {
  const buf = new Uint8Array(size);
  const views: Uint8Array[] = [];
  for (let at = 0; at < size; at += chunk) views.push(buf.subarray(at, at + chunk));
  return fromJs(
    () => {
      for (let i = 0; i < views.length; i++) fill(views[i]!);
    },
    () => buf,
  );
}

/** The byte sources, in table order; those that cannot run here carry `unavailable`. */
export function byteSources(): ByteSource[] {
  const { binding, reason } = loadNative();
  const noAddon = binding === null ? `no native addon: ${reason}` : undefined;
  const noVdso = noAddon ?? (binding!.info().vdso ? undefined : "the kernel's vDSO has no getrandom()");
  const generator = (backend: 'native' | 'simulated'): ((size: number) => Prepared) => {
    let gen: ReturnType<typeof createGenerator> | undefined;
    return (size) => {
      gen ??= createGenerator({ backend });
      const g = gen;
      return counted(new Uint8Array(size), (buf) => g.getrandom(buf));
    };
  };
  const inC = (which: 'vdso' | 'syscall') => (size: number) => ({
    run: (calls: number) => binding!.vdsoBench(size, calls, which),
    draw: () => undefined,
  });
  const noble = rngChacha20(nodeCrypto.randomBytes(32));

  return [
    { name: 'vgetrandom getrandom()', prepare: (size) => counted(new Uint8Array(size), (buf) => getrandom(buf)) },
    { name: 'vgetrandom randomFillSync()', prepare: (size) => filling(size, (buf) => randomFillSync(buf)) },
    { name: 'vgetrandom native generator', unavailable: noAddon, prepare: generator('native') },
    { name: 'vgetrandom simulated generator', prepare: generator('simulated') },
    {
      name: '@noble/ciphers rngChacha20',
      prepare: (size) =>
        fromJs(
          () => noble.randomBytes(size),
          (b) => b,
        ),
    },
    { name: BASELINE, prepare: (size) => filling(size, (view) => crypto.getRandomValues(view), QUOTA) },
    { name: 'crypto.randomFillSync', prepare: (size) => filling(size, (buf) => nodeCrypto.randomFillSync(buf)) },
    {
      name: 'crypto.randomBytes',
      prepare: (size) =>
        fromJs(
          () => nodeCrypto.randomBytes(size),
          (b) => b,
        ),
    },
    {
      name: 'vDSO getrandom (addon, JS)',
      unavailable: noVdso,
      prepare: (size) => counted(new Uint8Array(size), (buf) => binding!.vdsoGetrandom(buf)),
    },
    {
      name: 'getrandom(2) (addon, JS)',
      unavailable: noAddon,
      prepare: (size) => counted(new Uint8Array(size), (buf) => binding!.getrandom(buf)),
    },
    { name: 'vDSO getrandom (timed in C)', unavailable: noVdso, prepare: inC('vdso') },
    { name: 'getrandom(2) (timed in C)', unavailable: noAddon, prepare: inC('syscall') },
    {
      // Held to the addon's cap (bench/openssl.ts), and named so.
      name: `OpenSSL ChaCha20 (openssl speed${opensslCap() === undefined ? '' : `, held to ${process.env.VGETRANDOM_CHACHA}`})`,
      unavailable: opensslMissing(),
      prepare: (size) => {
        const ns = opensslChacha20Ns(size);
        return { run: () => ns, draw: () => undefined };
      },
    },
  ];
}

export interface IdWorkload {
  name: string;
  /** The source this workload's figures are compared with. */
  baseline: string;
  /** Is `id` a well-formed result of the workload? */
  valid(id: string | number): boolean;
  sources: { name: string; op: () => string | number }[];
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The ID workloads; `uuid` and `nanoid` also run on vgetrandom through their documented hooks. */
export function idWorkloads(): IdWorkload[] {
  const uuidBytes = new Uint8Array(16);
  const uuidRng = (): Uint8Array => {
    getrandom(uuidBytes);
    return uuidBytes;
  };
  const nanoidScratch = new Uint8Array(1024);
  const vgetrandomNanoid = customRandom(urlAlphabet, 21, (n) => {
    const bytes = nanoidScratch.subarray(0, n);
    getrandom(bytes);
    return bytes;
  });
  return [
    {
      name: 'UUID v4',
      baseline: 'crypto.randomUUID()',
      valid: (id) => typeof id === 'string' && UUID_V4.test(id),
      sources: [
        { name: 'vgetrandom randomUUID()', op: () => randomUUID() },
        { name: 'crypto.randomUUID()', op: () => nodeCrypto.randomUUID() },
        { name: 'uuid v4()', op: () => uuidV4() },
        { name: 'uuid v4({ rng: vgetrandom })', op: () => uuidV4({ rng: uuidRng }) },
      ],
    },
    {
      name: 'randomInt(1000)',
      baseline: 'crypto.randomInt(1000)',
      valid: (n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < 1000,
      sources: [
        { name: 'vgetrandom randomInt(1000)', op: () => randomInt(1000) },
        { name: 'crypto.randomInt(1000)', op: () => nodeCrypto.randomInt(1000) },
      ],
    },
    {
      name: 'nanoid, 21 chars',
      baseline: 'nanoid()',
      valid: (id) => typeof id === 'string' && /^[A-Za-z0-9_-]{21}$/.test(id),
      sources: [
        { name: 'nanoid()', op: () => nanoid() },
        { name: 'nanoid customRandom(vgetrandom)', op: () => vgetrandomNanoid() },
      ],
    },
  ];
}
