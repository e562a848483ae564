// What each step of `vgetrandom demo` found, as data: `--json` prints exactly this, the text
// output is rendered from it (render.ts), and test/demo/demo.test.ts checks it. Every step carries
// the one plain sentence the text output prints for it.

import type { Backend } from '../index.js';
import type { KernelGenerationMode } from '../platform/addon/binding.js';

/** A generator's counters at the end of the step that used it. */
export interface CounterRow {
  /** What the generator was used for. */
  generator: string;
  backend: Backend;
  calls: number;
  bytes: number;
  rekeys: number;
  retries: number;
  fallbacks: number;
}

/** 1. What the kernel offers. */
export interface ProbeFacts {
  sentence: string;
  platform: string;
  arch: string;
  /** os.release() (the addon's uname(2) on the native backend). */
  kernel: string;
  /** The vDSO exports getrandom(); null when not probed (simulated backend). */
  vdso: boolean | null;
  /** The kernel accepted MAP_DROPPABLE; null when not probed (simulated backend). */
  mapDroppable: boolean | null;
  /** The vgetrandom params: from the vDSO's probe, the kernel's defaults, or the simulated mm's model of them. */
  params: { sizeOfOpaqueState: number; mmapProt: number; mmapFlags: number; source: 'vdso' | 'defaults' | 'modelled' };
}

/** One VmFlags mnemonic the demo explains. */
export interface FlagFacts {
  flag: 'dp' | 'wf' | 'dd' | 'nr';
  present: boolean;
  meaning: string;
}

/** 2. The arena's mapping as smaps shows it. */
export interface ArenaFacts {
  sentence: string;
  /** '/proc/self/smaps' (native) or 'SimulatedMm.smaps()'. */
  source: string;
  /** The arena page holding a freshly allocated state slice. */
  pageAddr: number;
  /** The slice's byte offset in that page. */
  offset: number;
  /** The smaps header line of the mapping that holds the page. */
  mapping: string;
  /** The mapping's VmFlags mnemonics, in smaps order. */
  vmFlags: string[];
  flags: FlagFacts[];
  /** Pages of the arena after the slice was taken. */
  arenaPages: number;
  /** Native only: slices in use in the whole process's arena after the slice was taken. */
  statesInUse?: number;
  /** Simulated only: whether a core dump of the mm would hold the arena page. */
  coredumpHoldsArena?: boolean;
}

/** The state at one moment: its fields and its bytes, key masked. */
export interface StateSnapshot {
  label: string;
  generation: number;
  pos: number;
  inUse: number;
  /** Leading zero bytes of the batch: at least `pos` (consumed bytes are zeroed). */
  batchZeroPrefix: number;
  /** The 144 bytes as hex pairs, the 32 key bytes shown as `••`. */
  hex: string;
}

/** 3. Drawing bytes. */
export interface DrawFacts {
  sentence: string;
  backend: Backend;
  /** Bytes drawn before each snapshot after the first. */
  draws: number[];
  snapshots: StateSnapshot[];
  /** The last draw was served from the batch alone: the key bytes did not change. */
  keyUnchangedByLastDraw: boolean;
}

/** One drop of a state's page and what the generator did about it. */
export interface DropFacts {
  /** 'madvise(MADV_PAGEOUT)', 'memory.force_empty' or 'SimulatedMm.reclaim()'. */
  method: string;
  /** Where the generator lived: this process, or the child process in the cgroup. */
  where: string;
  /** The state's generation before the drop (non-zero: it held a key). */
  generationBefore: number;
  /** Every byte of the state read back as zero after the drop. */
  stateZeroAfterDrop: boolean;
  rekeysBefore: number;
  rekeysAfter: number;
  /** Bytes drawn after the drop. */
  outputBytes: number;
  /** The output after the drop has no run of 16 zero bytes. */
  outputNonZero: boolean;
  /** The output after the drop holds a 16-byte piece of the all-zero key's keystream. */
  zeroKeyKeystream: boolean;
  /** SimulatedMm.reclaim() only: pages it dropped. */
  pagesDropped?: number;
}

/** 4. Memory pressure. */
export interface PressureFacts {
  sentence: string;
  backend: Backend;
  drops: DropFacts[];
  /** The real cgroup v1 reclaim: run, or why not. */
  cgroup: { ran: boolean; reason?: string };
}

/** 5. Fork. */
export interface ForkFacts {
  sentence: string;
  /** The addon's real fork(2) of a live native state, and of ordinary memory as a control; null without the addon. */
  native: {
    childSawZero: boolean;
    parentIntact: boolean;
    control: { childSawZero: boolean; parentIntact: boolean };
  } | null;
  /** generator.fork() on the simulated mm. */
  simulated: {
    childStateZero: boolean;
    parentIntact: boolean;
    childRekeys: number;
    outputsDiffer: boolean;
  };
}

/** 6. The kernel reseeds. */
export interface ReseedFacts {
  sentence: string;
  /** How the kernel's CRNG generation reaches the states ('none' on the simulated backend). */
  mode: KernelGenerationMode;
  /** The kernel was reseeded (RNDRESEEDCRNG: root and the native backend). */
  ran: boolean;
  /** The kernel's generation before and after the reseed. */
  kernelBefore?: number;
  kernelAfter?: number;
  /** A native generator's rekeys before the reseed, and once a draw after it rekeyed. */
  rekeysBefore?: number;
  rekeysAfter?: number;
  /** The first draw after the reseed rekeyed (mapped: always). */
  nextDrawRekeyed?: boolean;
}

/** One worker thread's slice. */
export interface WorkerSlice {
  threadId: number;
  pageAddr: number;
  offset: number;
  /** The slice read all zero when the worker got it (no other state's bytes). */
  fresh: boolean;
}

/** 7. Threads. */
export interface ThreadFacts {
  sentence: string;
  backend: Backend;
  /** Who hands out the slices. */
  allocator: string;
  workers: WorkerSlice[];
  /** No two workers got the same (page, offset). */
  distinct: boolean;
  /** Pages the workers' slices are on. */
  pages: number[];
  /** Native only: states in use in the process-wide arena before, while the workers held theirs, and after they gave them back. */
  statesInUse?: { before: number; during: number; after: number };
}

/** 8. Counters. */
export interface StatsFacts {
  sentence: string;
  rows: CounterRow[];
}

export interface DemoFacts {
  /** The backend the steps ran on. */
  backend: Backend;
  /** Why not native (VGETRANDOM_NATIVE=0, not Linux, addon not built, or asked for). */
  reason?: string;
  probe: ProbeFacts;
  arena: ArenaFacts;
  draw: DrawFacts;
  pressure: PressureFacts;
  fork: ForkFacts;
  reseed: ReseedFacts;
  threads: ThreadFacts;
  stats: StatsFacts;
  /** Wall time of the whole demo. */
  elapsedMs: number;
}

/** The steps in order, as keys of DemoFacts. */
export const STEPS = ['probe', 'arena', 'draw', 'pressure', 'fork', 'reseed', 'threads', 'stats'] as const;
export type StepName = (typeof STEPS)[number];
