// The suite: cross-checks every source, then measures the byte sources at each size and the
// ID workloads, each size (and the IDs) as one group of interleaved rounds, and expresses every
// figure as a ratio to its baseline from the same rounds.

import { type Machine, machine } from './machine.js';
import { type Measured, measure, median, type Plan, type Stats, timeJs } from './measure.js';
import { BASELINE, byteSources, idWorkloads, type Prepared } from './sources.js';

export interface Settings extends Plan {
  quick: boolean;
  /** Request sizes in bytes. */
  sizes: number[];
}

export const FULL: Settings = {
  quick: false,
  sizes: [1, 4, 16, 32, 64, 256, 1024, 4096, 65536, 1 << 20],
  rounds: 25,
  sampleMs: 20,
  warmupMs: 100,
};

/** Every source still runs once; fewer sizes and rounds, shorter samples. For CI smoke runs. */
export const QUICK: Settings = {
  quick: true,
  sizes: [1, 16, 256, 4096, 65536, 1 << 20],
  rounds: 5,
  sampleMs: 5,
  warmupMs: 20,
};

export interface Row {
  /** The size (`16 B`) or the ID workload. */
  group: string;
  source: string;
  /** Bytes per request (byte sources). */
  size?: number;
  calls: number;
  /** ns per request. */
  stats: Stats;
  /** The source this row is compared with, measured in the same rounds. */
  baseline: string;
  /**
   * The median over rounds of the baseline's time over this source's in that round: above 1 is
   * faster. Pairing by round cancels most of the load that other processes put on the machine.
   */
  speedup: number;
  /** GB/s at the median (byte sources). */
  gbps?: number;
}

export interface Results {
  machine: Machine;
  settings: Settings;
  bytes: Row[];
  ids: Row[];
  /** Sources that cannot run here, and why. */
  skipped: { source: string; reason: string }[];
}

/** A failure to report as a message, without a stack: a failed cross-check, a missing package. */
export class BenchError extends Error {}

/** `1 B`, `4 KiB`, `1 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes >> 20} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes >> 10} KiB`;
  return `${bytes} B`;
}

/** Checks that `p` gives `size` bytes per request that are not all zero (over ≥ 16 bytes). */
function checkBytes(source: string, size: number, p: Prepared): void {
  const first = p.draw();
  if (first === undefined) {
    const ns = p.run(1);
    if (!(ns > 0 && Number.isFinite(ns))) throw new BenchError(`cross-check: ${source} timed ${ns} ns for ${formatSize(size)}`);
    return;
  }
  let nonzero = false;
  for (let i = 0; i < Math.ceil(16 / size); i++) {
    const out = i === 0 ? first : p.draw()!;
    if (out.length !== size) throw new BenchError(`cross-check: ${source} gave ${out.length} bytes for a ${size}-byte request`);
    nonzero ||= out.some((b) => b !== 0);
  }
  if (!nonzero) throw new BenchError(`cross-check: ${source} gave only zero bytes at ${formatSize(size)}`);
}

function checkId(source: string, op: () => string | number, valid: (id: string | number) => boolean): void {
  const ids = Array.from({ length: 8 }, op);
  const bad = ids.find((id) => !valid(id));
  if (bad !== undefined) throw new BenchError(`cross-check: ${source} gave ${JSON.stringify(bad)}`);
  if (new Set(ids).size === 1) throw new BenchError(`cross-check: ${source} gave the same value 8 times`);
}

function row(group: string, source: string, m: Measured, baseline: { source: string; stats: Stats }, size?: number): Row {
  const speedup = median(baseline.stats.samples.map((b, r) => b / m.stats.samples[r]!));
  const r: Row = { group, source, calls: m.calls, stats: m.stats, baseline: baseline.source, speedup };
  return size === undefined ? r : { ...r, size, gbps: size / m.stats.median };
}

/** Runs the whole suite; `progress` gets a one-line status before each round. */
export function runSuite(settings: Settings, progress: (status: string) => void): Results {
  const sources = byteSources();
  const runnable = sources.filter((s) => s.unavailable === undefined);
  const workloads = idWorkloads();
  const groups = settings.sizes.length + 1;
  const status = (group: string, g: number) => (round: number) =>
    progress(`bench: ${group} (${g}/${groups}), ${round === 0 ? 'warm-up' : `round ${round}/${settings.rounds}`}`);

  const prepared = settings.sizes.map((size) => runnable.map((s) => s.prepare(size)));
  progress('bench: cross-check');
  settings.sizes.forEach((size, i) => {
    runnable.forEach((s, j) => {
      checkBytes(s.name, size, prepared[i]![j]!);
    });
  });
  for (const w of workloads) for (const s of w.sources) checkId(s.name, s.op, w.valid);

  const bytes = settings.sizes.flatMap((size, i) => {
    const group = formatSize(size);
    const measured = measure(
      prepared[i]!.map((p) => p.run),
      settings,
      status(group, i + 1),
    );
    const { stats } = measured[runnable.findIndex((s) => s.name === BASELINE)]!;
    return measured.map((m, j) => row(group, runnable[j]!.name, m, { source: BASELINE, stats }, size));
  });

  const idSources = workloads.flatMap((w) => w.sources.map((s) => ({ workload: w, ...s })));
  const measuredIds = measure(
    idSources.map((s) => timeJs(s.op)),
    settings,
    status('IDs', groups),
  );
  const ids = idSources.map((s, i) => {
    const base = measuredIds[idSources.findIndex((t) => t.workload === s.workload && t.name === s.workload.baseline)]!;
    return row(s.workload.name, s.name, measuredIds[i]!, { source: s.workload.baseline, stats: base.stats });
  });

  const skipped = sources.flatMap((s) => (s.unavailable === undefined ? [] : [{ source: s.name, reason: s.unavailable }]));
  return { machine: machine(), settings, bytes, ids, skipped };
}
