import type { SuiteSpec } from '../suites/schema.js';
import type { ChartSpec } from './charts.js';
import { citation, headerOf, rowCells } from './markdown.js';
import { scopeSvgIds } from './render-svg.js';
import { SAMPLES_NOTE, htmlSamples, type SampleEntry } from './samples.js';
import type { RowSummary } from './summary.js';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
tr.role-teacher td:first-child { color: #4c78a8; } tr.role-distilled td:first-child { color: #c0630f; }
figure { margin: 2rem 0; } figcaption { font-size: 0.85rem; color: #555; max-width: 48rem; }
.meta { color: #555; font-size: 0.9rem; } code { background: #f4f4f4; padding: 0 0.2rem; }
.samples { display: flex; flex-wrap: wrap; gap: 1rem; } figure.sample { margin: 0; } figure.sample img { image-rendering: pixelated; width: 16rem; }
`;

export interface HtmlReportInput {
  readonly spec: SuiteSpec;
  readonly rows: readonly RowSummary[];
  readonly charts: ReadonlyArray<{ readonly chart: ChartSpec; readonly svg: string }>;
  /** lines of facts about the run (backend, workers, wall time, budget) */
  readonly facts: readonly string[];
  /** sample grids of the runs whose schemes show their training inputs */
  readonly samples?: readonly SampleEntry[];
}

function table(rows: readonly RowSummary[], references: SuiteSpec['references']): string {
  const head = `<tr>${headerOf(rows).map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr class="role-${row.role}">${rowCells(row, references).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A self-contained page (no scripts, no external files): tables, inline SVG charts, references. */
export function htmlReport(input: HtmlReportInput): string {
  const { spec, rows } = input;
  const groups = [...new Set(rows.map((r) => r.group))];
  const tables = groups
    .map((group) => `${groups.length > 1 ? `<h3>${escapeHtml(group)}</h3>\n` : ''}${table(rows.filter((r) => r.group === group), spec.references)}`)
    .join('\n');
  const figures = input.charts
    .map(
      ({ chart, svg }) =>
        `<figure id="chart-${chart.name}">\n<h3>${escapeHtml(chart.title)}</h3>\n${scopeSvgIds(svg, chart.name)}\n<figcaption>${escapeHtml(chart.caption)}</figcaption>\n</figure>`,
    )
    .join('\n');
  const references = Object.entries(spec.references)
    .map(([key, ref]) => `<li>[${escapeHtml(citation(ref, key))}] ${escapeHtml(ref.authors)}, <em>${escapeHtml(ref.title)}</em>, ${ref.year}${ref.url ? `. <a href="${escapeHtml(ref.url)}">${escapeHtml(ref.url)}</a>` : ''}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.name)}: Distillery benchmark</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(spec.name)}</h1>
<p>${escapeHtml(spec.description)}</p>
<p class="meta">${input.facts.map(escapeHtml).join('<br>\n')}</p>
<h2>Results</h2>
<p class="meta">Last-epoch test metrics, mean ± standard deviation over seeds; "paper" is the published figure for the same setting (see the suite for differences in budget).</p>
${tables}
<h2>Charts</h2>
${figures}
${input.samples && input.samples.length > 0 ? `<h2>Samples</h2>\n<p class="meta">${escapeHtml(SAMPLES_NOTE)}</p>\n${htmlSamples(input.samples)}` : ''}
${references ? `<h2>References</h2>\n<ul>\n${references}\n</ul>` : ''}
</body>
</html>
`;
}
