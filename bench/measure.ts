// Timing and statistics. Each case is warmed up and calibrated to samples of about
// `sampleMs`; then every round runs each case once, in turn (starting one case later each
// round), so drift in clock speed or load hits all cases alike. A case's samples are summed up
// as median, quartiles and range, in ns per operation.

/** Runs `calls` operations and returns the ns per operation. */
export type Run = (calls: number) => number;

export interface Plan {
  rounds: number;
  /** Target duration of one sample. */
  sampleMs: number;
  /** Time spent running a case before its samples count. */
  warmupMs: number;
}

export interface Stats {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  /** ns per operation of each round, in round order. */
  samples: number[];
}

export interface Measured {
  /** Operations per sample. */
  calls: number;
  stats: Stats;
}

/**
 * A timing loop around `op`. Each call compiles a fresh copy of the loop: V8 keeps type feedback
 * per function literal, so a single shared loop would see every source's `op` at one call site,
 * turn megamorphic and stop inlining, which would penalise the fastest sources most.
 */
export function timeJs(op: () => unknown): Run {
  const make = new Function(
    'op',
    'now',
    'return (calls) => { const t0 = now(); for (let i = 0; i < calls; i++) op(); return Number(now() - t0) / calls; };',
  ) as (op: () => unknown, now: () => bigint) => Run;
  return make(op, process.hrtime.bigint);
}

/** Runs `run` for at least the warm-up time and returns the calls that make one sample. */
function calibrate(run: Run, plan: Plan): number {
  const targetNs = plan.sampleMs * 1e6;
  let calls = 1;
  let spentNs = 0;
  for (;;) {
    const perCall = run(calls);
    spentNs += perCall * calls;
    const fit = Math.max(1, Math.round(targetNs / Math.max(perCall, 1e-3)));
    if (spentNs >= plan.warmupMs * 1e6) return fit;
    calls = Math.min(calls * 2, fit);
  }
}

/** The p-quantile of ascending `sorted`, interpolated linearly. */
function quantile(sorted: readonly number[], p: number): number {
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  return sorted[lo]! + (sorted[Math.ceil(i)]! - sorted[lo]!) * (i - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

function summarise(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    samples,
  };
}

/**
 * Warms up and calibrates every case, then runs `plan.rounds` interleaved rounds.
 * `onRound(r)` is called before round r (0: the warm-up).
 */
export function measure(runs: readonly Run[], plan: Plan, onRound: (round: number) => void): Measured[] {
  onRound(0);
  const calls = runs.map((run) => calibrate(run, plan));
  const samples: number[][] = runs.map(() => []);
  for (let r = 0; r < plan.rounds; r++) {
    onRound(r + 1);
    for (let j = 0; j < runs.length; j++) {
      const i = (j + r) % runs.length;
      samples[i]!.push(runs[i]!(calls[i]!));
    }
  }
  return runs.map((_, i) => ({ calls: calls[i]!, stats: summarise(samples[i]!) }));
}
