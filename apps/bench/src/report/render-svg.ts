import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from './charts.js';

/**
 * Renders a chart to SVG text in Node: Vega's headless view draws the scenegraph straight to an SVG
 * string, with no DOM and no canvas (text widths are estimated).
 */
export async function renderSvg(chart: ChartSpec): Promise<string> {
  const vegaSpec = compile(chart.spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Several SVGs inlined in one HTML page share one id space: prefix every id (clip paths, gradients)
 * and every reference to it with the chart's name.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}
