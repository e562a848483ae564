// The suite's results as a terminal table, as Markdown (for the README) and as JSON.

import { describe } from './machine.js';
import { BASELINE } from './sources.js';
import { formatSize, type Results, type Row } from './suite.js';

/** ns with about three significant digits: 4.52, 45.2, 452, 4,520. */
function ns(x: number): string {
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
}

/** A duration with its unit, about three significant digits: 45.2 ns, 2.62 µs, 2.14 ms. */
function duration(x: number): string {
  if (x < 1e3) return `${ns(x)} ns`;
  return x < 1e6 ? `${(x / 1e3).toPrecision(3)} µs` : `${(x / 1e6).toPrecision(3)} ms`;
}

function speedup(x: number): string {
  return `${x >= 100 ? Math.round(x) : x.toPrecision(3)}×`;
}

function gbps(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** The interquartile range as a percentage of the median. */
function iqr(r: Row): string {
  return `${((100 * (r.stats.q3 - r.stats.q1)) / r.stats.median).toFixed(1)}%`;
}

function method(results: Results): string {
  const { rounds, sampleMs, quick } = results.settings;
  return `medians of ${rounds} interleaved rounds of ~${sampleMs} ms samples${quick ? ' (--quick)' : ''}, speed-ups as medians of per-round ratios`;
}

function groupBy(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  return groups;
}

function skippedLines(results: Results): string[] {
  return results.skipped.map((s) => `not run: ${s.source} (${s.reason})`);
}

export function table(results: Results): string {
  const width = Math.max(...[...results.bytes, ...results.ids].map((r) => r.source.length)) + 2;
  const lines = [describe(results.machine), `${method(results)}; IQR as % of the median`, ''];
  for (const [group, rows] of groupBy(results.bytes)) {
    lines.push(`${group.padEnd(width)}      ns/op     IQR      GB/s   vs ${rows[0]!.baseline}`);
    for (const r of rows) {
      lines.push(
        `  ${r.source.padEnd(width - 2)} ${ns(r.stats.median).padStart(10)} ${iqr(r).padStart(7)} ${gbps(r.gbps!).padStart(9)}   ${speedup(r.speedup).padStart(7)}`,
      );
    }
    lines.push('');
  }
  for (const [group, rows] of groupBy(results.ids)) {
    lines.push(`${group.padEnd(width)}      ns/op     IQR   vs ${rows[0]!.baseline}`);
    for (const r of rows) {
      lines.push(
        `  ${r.source.padEnd(width - 2)} ${ns(r.stats.median).padStart(10)} ${iqr(r).padStart(7)}   ${speedup(r.speedup).padStart(7)}`,
      );
    }
    lines.push('');
  }
  return `${[...lines, ...skippedLines(results)].join('\n').trimEnd()}\n`;
}

/** One Markdown table with a row per source and a column per size. */
function matrix(results: Results, cell: (r: Row) => string): string[] {
  const sizes = results.settings.sizes;
  const lines = [`| source | ${sizes.map(formatSize).join(' | ')} |`, `|---|${sizes.map(() => '--:|').join('')}`];
  for (const [source, rows] of groupBy(results.bytes.map((r) => ({ ...r, group: r.source })))) {
    lines.push(`| ${source} | ${rows.map(cell).join(' | ')} |`);
  }
  return lines;
}

/** Markdown tables with a caption; `chart` is the chart's path relative to the document, if drawn. */
export function markdown(results: Results, chart?: string): string {
  const lines = [
    `Measured by \`vgetrandom bench\` on ${results.machine.date.slice(0, 10)}: ${describe(results.machine)}; ${method(results)}.`,
    '',
    ...(chart === undefined ? [] : [`![Median time per request against request size, log–log](${chart})`, '']),
    `**Time per request** (speed-up over \`${BASELINE}\`: above 1× is faster; \`${BASELINE}\` is called in 64 KiB chunks above 64 KiB)`,
    '',
    ...matrix(results, (r) => `${duration(r.stats.median)} (${speedup(r.speedup)})`),
    '',
    '**GB/s**',
    '',
    ...matrix(results, (r) => gbps(r.gbps!)),
    '',
    '**Spread**: interquartile range of the rounds, as % of the median',
    '',
    ...matrix(results, iqr),
    '',
    '**IDs**: time per ID',
    '',
    '| workload | source | time/ID | IQR | speed-up |',
    '|---|---|--:|--:|--:|',
    ...results.ids.map((r, i, all) => {
      const workload = i === 0 || all[i - 1]!.group !== r.group ? `${r.group}, vs ${r.baseline}` : '';
      return `| ${workload} | ${r.source} | ${duration(r.stats.median)} | ${iqr(r)} | ${speedup(r.speedup)} |`;
    }),
  ];
  const skipped = skippedLines(results);
  return `${[...lines, ...(skipped.length > 0 ? ['', ...skipped.map((s) => `- ${s}`)] : [])].join('\n')}\n`;
}

export function json(results: Results): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
