// The chart: median ns per request against request size, log–log, one line per byte source
// (the baseline thicker), as SVG. Vega-Lite compiles the spec and Vega renders it headlessly
// (no browser, no canvas). Both are loaded only when a chart is asked for: they are
// devDependencies, which an installed CLI may lack.

import type { TopLevelSpec } from 'vega-lite';
import { describe } from './machine.js';
import { BenchError, formatSize, type Results } from './suite.js';

/** Dash patterns by kind of source: solid for vgetrandom, dashed for node:crypto, and so on. */
const DASHES = { vgetrandom: [1, 0], node: [6, 3], kernel: [2, 2], peer: [8, 3, 2, 3] };

function dash(source: string): number[] {
  if (source.startsWith('vgetrandom')) return DASHES.vgetrandom;
  if (source.startsWith('crypto.')) return DASHES.node;
  if (source.startsWith('@noble')) return DASHES.peer;
  return DASHES.kernel;
}

/** Twelve distinguishable colours, one per source in table order. */
const PALETTE = [
  '#1f77b4',
  '#6baed6',
  '#08519c',
  '#9467bd',
  '#2ca02c',
  '#000000',
  '#7f7f7f',
  '#bcbd22',
  '#d62728',
  '#ff7f0e',
  '#e377c2',
  '#8c564b',
];

function chartSpec(results: Results): TopLevelSpec {
  const sizes = results.settings.sizes;
  const sources = [...new Set(results.bytes.map((r) => r.source))];
  const labels = Object.fromEntries(sizes.map((s) => [s, formatSize(s)]));
  const legend = { title: null, symbolType: 'stroke', symbolSize: 300, symbolStrokeWidth: 2, labelLimit: 300 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Random bytes: median ns per request (log–log)', subtitle: describe(results.machine).split('; '), anchor: 'start' },
    width: 640,
    height: 420,
    background: 'white',
    data: { values: results.bytes.map((r) => ({ source: r.source, size: r.size, ns: r.stats.median })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'size',
        type: 'quantitative',
        scale: { type: 'log', base: 2, domain: [sizes[0]!, sizes[sizes.length - 1]!] },
        axis: { title: 'bytes per request', values: sizes, labelExpr: `${JSON.stringify(labels)}[datum.value]` },
      },
      y: { field: 'ns', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'ns per request', format: '~s' } },
      color: { field: 'source', type: 'nominal', scale: { domain: sources, range: PALETTE }, legend },
      strokeDash: { field: 'source', type: 'nominal', scale: { domain: sources, range: sources.map(dash) }, legend },
      strokeWidth: { condition: { test: `datum.source === ${JSON.stringify(results.bytes[0]?.baseline)}`, value: 3 }, value: 1.5 },
      tooltip: [{ field: 'source' }, { field: 'size' }, { field: 'ns', format: '.4~r' }],
    },
  };
}

/** Loads Vega and Vega-Lite, and returns what renders the chart of some results as SVG. */
export async function chartRenderer(): Promise<(results: Results) => Promise<string>> {
  let vega: typeof import('vega');
  let vegaLite: typeof import('vega-lite');
  try {
    [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  } catch (err) {
    throw new BenchError(`--svg needs the packages vega and vega-lite (npm i -D vega vega-lite): ${(err as Error).message}`);
  }
  return async (results) => {
    const view = new vega.View(vega.parse(vegaLite.compile(chartSpec(results)).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  };
}
