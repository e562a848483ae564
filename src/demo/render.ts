// The demo's text output, rendered from its facts: for each step a title, the step's one plain
// sentence, then the details that sentence rests on.

import { BATCH_SIZE, GENERATION_OFFSET, KEY_OFFSET, STATE_SIZE } from '../core/state.js';
import { MAP_DROPPABLE } from '../mm/index.js';
import type { DemoFacts, StepName } from './facts.js';
import { hexAddr, hexBytes } from './inspect.js';
import { mapFlagNames, protNames } from './probe.js';

const TITLES: Record<StepName, string> = {
  probe: 'Probe: what the kernel offers',
  arena: "Arena: the state page's VmFlags",
  draw: 'Draw: the state before and after',
  pressure: 'Memory pressure: the page is dropped',
  fork: 'Fork: the child sees zero',
  reseed: 'The kernel reseeds: every state rekeys',
  threads: 'Threads: a slice each, from one arena',
  stats: 'Counters',
};

const INDENT = '   ';
const yes = (b: boolean | null) => (b === null ? 'not probed' : b ? 'yes' : 'no');

/** The first line: which backend the steps run on. */
export function header(backend: DemoFacts['backend'], reason: string | undefined): string {
  return backend === 'native'
    ? 'vgetrandom demo: every step on the real kernel (native backend, MAP_DROPPABLE pages from the addon)\n'
    : `vgetrandom demo: every step on the simulated mm (simulated backend: ${reason ?? 'no addon'}); the real kernel is not involved\n`;
}

/** A table with left-aligned text and right-aligned numbers. */
function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells.map((r) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The 144 bytes in rows of 16, each labelled with its field. */
function dump(hex: string): string[] {
  const bytes = hexBytes(hex);
  const lines: string[] = [];
  for (let at = 0; at < STATE_SIZE; at += 16) {
    const field = at < BATCH_SIZE ? 'batch' : at < GENERATION_OFFSET ? 'key' : 'gen pos use';
    const text = bytes.slice(at, at + 16).join(' ');
    lines.push(`${at.toString(16).padStart(3, '0')}  ${field.padEnd(11)}  ${text}`);
  }
  return lines;
}

function details(name: StepName, facts: Partial<DemoFacts>): string[] {
  switch (name) {
    case 'probe': {
      const f = facts.probe!;
      const { sizeOfOpaqueState, mmapProt, mmapFlags, source } = f.params;
      return [
        `kernel ${f.kernel} (${f.platform} ${f.arch}); vDSO getrandom: ${yes(f.vdso)}; MAP_DROPPABLE (0x${MAP_DROPPABLE.toString(16)}) accepted: ${yes(f.mapDroppable)}`,
        `params (${source}): size_of_opaque_state ${sizeOfOpaqueState}, mmap_prot 0x${mmapProt.toString(16)} (${protNames(mmapProt)}), ` +
          `mmap_flags 0x${mmapFlags.toString(16)} (${mapFlagNames(mmapFlags)})`,
      ];
    }
    case 'arena': {
      const f = facts.arena!;
      const lines = [
        `${f.source}: ${f.mapping}`,
        `VmFlags: ${f.vmFlags.join(' ')}`,
        ...f.flags.map((x) => `  ${x.flag}  ${x.present ? '' : '(absent) '}${x.meaning}`),
        `slice at ${hexAddr(f.pageAddr)} + ${f.offset}; the arena has ${f.arenaPages} page(s)${f.statesInUse === undefined ? '' : `, ${f.statesInUse} state(s) in use`}`,
      ];
      if (f.coredumpHoldsArena !== undefined)
        lines.push(`a core dump of the simulated mm holds the arena page: ${yes(f.coredumpHoldsArena)}`);
      return lines;
    }
    case 'draw': {
      const f = facts.draw!;
      const rows = table(
        ['state', 'generation', 'pos', 'in_use', 'zeroed batch prefix'],
        f.snapshots.map((s) => [s.label, s.generation, s.pos, s.inUse, s.batchZeroPrefix]),
      );
      const lines = [...rows];
      for (const s of f.snapshots.slice(1)) {
        lines.push('', `${s.label} (key bytes ${KEY_OFFSET}..${KEY_OFFSET + 31} masked as ••):`, ...dump(s.hex));
      }
      return lines;
    }
    case 'pressure': {
      const f = facts.pressure!;
      const rows = table(
        ['drop', 'where', 'generation before', 'state zero after', 'rekeys', 'next output'],
        f.drops.map((d) => [
          d.method + (d.pagesDropped === undefined ? '' : ` (${d.pagesDropped} page${d.pagesDropped === 1 ? '' : 's'})`),
          d.where,
          d.generationBefore,
          yes(d.stateZeroAfterDrop),
          `${d.rekeysBefore} → ${d.rekeysAfter}`,
          `${d.outputBytes} B, ${d.outputNonZero ? 'no zero run' : 'ZERO RUN'}, ${d.zeroKeyKeystream ? 'ZERO-KEY KEYSTREAM' : 'no zero-key keystream'}`,
        ]),
      );
      return [...rows, ...(f.cgroup.ran ? [] : [`memory.force_empty of a child's cgroup: not run (${f.cgroup.reason})`])];
    }
    case 'fork': {
      const f = facts.fork!;
      const lines: string[] = [];
      if (f.native !== null) {
        lines.push(
          `fork(2) of a live state: child saw zero ${yes(f.native.childSawZero)}, parent intact ${yes(f.native.parentIntact)}`,
          `fork(2) of ordinary memory (control): child saw zero ${yes(f.native.control.childSawZero)}, parent intact ${yes(f.native.control.parentIntact)}`,
        );
      }
      const s = f.simulated;
      lines.push(
        `generator.fork() (simulated): child state zero ${yes(s.childStateZero)}, parent intact ${yes(s.parentIntact)}, ` +
          `child rekeys ${s.childRekeys}, outputs differ ${yes(s.outputsDiffer)}`,
      );
      return lines;
    }
    case 'reseed': {
      const f = facts.reseed!;
      if (!f.ran) return [`kernel generation: ${f.mode}`];
      return [
        `kernel generation: ${f.mode}; ${f.kernelBefore} → ${f.kernelAfter} after RNDRESEEDCRNG`,
        `a native generator's rekeys: ${f.rekeysBefore} → ${f.rekeysAfter}${f.nextDrawRekeyed ? ' (on the very next draw)' : ''}`,
      ];
    }
    case 'threads': {
      const f = facts.threads!;
      return [
        `allocator: ${f.allocator}`,
        ...table(
          ['thread', 'page', 'offset', 'fresh (all zero)'],
          f.workers.map((w) => [w.threadId, hexAddr(w.pageAddr), w.offset, yes(w.fresh)]),
        ),
      ];
    }
    case 'stats':
      return table(
        ['generator', 'backend', 'calls', 'bytes', 'rekeys', 'retries', 'fallbacks'],
        facts.stats!.rows.map((r) => [r.generator, r.backend, r.calls, r.bytes, r.rekeys, r.retries, r.fallbacks]),
      );
  }
}

/** One step's text: number and title, its sentence, its details. */
export function renderStep(index: number, name: StepName, facts: Partial<DemoFacts>): string {
  const sentence = facts[name]!.sentence;
  return [
    `${index + 1}. ${TITLES[name]}`,
    `${INDENT}${sentence}`,
    ...details(name, facts).map((l) => (l === '' ? '' : `${INDENT}${l}`)),
    '',
  ].join('\n');
}
