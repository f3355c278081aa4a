import { mkdir } from 'node:fs/promises';
import { join, relative, dirname } from 'node:path';
import { writeFileAtomic } from '@distillery/core/node';
import type { SuitePlan } from '../plan/plan-suite.js';
import type { RunRecord } from '../runner/run-record.js';
import { reportCharts } from './charts.js';
import { htmlReport } from './html.js';
import { markdownReferences, markdownTables } from './markdown.js';
import { renderSvg } from './render-svg.js';
import { SAMPLES_NOTE, markdownSamples, sampleEntries } from './samples.js';
import { planRecords, summariseRows, type RowSummary } from './summary.js';

/** Where a suite's outputs go inside the output folder. */
export interface OutputPaths {
  /** results, one JSON line per finished run (the resumable state) */
  readonly results: string;
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  /** teacher models and charts */
  readonly artefacts: string;
  readonly charts: string;
}

export function outputPaths(outDir: string, suiteName: string): OutputPaths {
  const artefacts = join(outDir, suiteName);
  return {
    results: join(outDir, `${suiteName}.jsonl`),
    json: join(outDir, `${suiteName}.json`),
    markdown: join(outDir, `${suiteName}.md`),
    html: join(outDir, `${suiteName}.html`),
    artefacts,
    charts: join(artefacts, 'charts'),
  };
}

/** Facts about the invocation that produced (or rebuilt) the report. */
export interface ReportMeta {
  readonly startedAt: string;
  readonly wallSeconds: number | undefined;
  readonly workers: number | undefined;
  readonly backends: readonly string[];
}

/** The summary JSON beside the table: rows, every run's record, and the facts of the invocation. */
export interface SuiteReportJson {
  readonly suite: string;
  readonly description: string;
  readonly budget: string | undefined;
  readonly quick: boolean;
  readonly backends: readonly string[];
  readonly workers: number | undefined;
  readonly startedAt: string;
  readonly wallSeconds: number | undefined;
  readonly seeds: readonly number[];
  readonly rows: readonly Omit<RowSummary, 'curve' | 'reliability'>[];
  readonly runs: readonly RunRecord[];
}

export interface WrittenReport {
  readonly rows: readonly RowSummary[];
  readonly tables: string;
  readonly json: SuiteReportJson;
  readonly files: readonly string[];
}

function facts(plan: SuitePlan, meta: ReportMeta, runs: readonly RunRecord[]): string[] {
  const spec = plan.suite.spec;
  const backends = meta.backends.length ? meta.backends : [...new Set(runs.map((r) => r.backend.selected))];
  return [
    `Dataset: ${spec.dataset.name}; seeds ${plan.seeds.join(', ')}; batch ${spec.batchSize}; optimiser ${spec.optimizer.name} (lr ${spec.optimizer.learningRate}); epochs: teacher ${spec.epochs.teacher}, student ${spec.epochs.student} (rows may override).`,
    ...(spec.budget ? [`Budget: ${spec.budget}`] : []),
    `Backend: ${backends.join(', ') || '-'}${meta.workers !== undefined ? `; workers: ${meta.workers}` : ''}${meta.wallSeconds !== undefined ? `; wall time of this invocation: ${meta.wallSeconds.toFixed(0)} s` : ''}. Generated ${meta.startedAt}.`,
    `Runs in the results: ${runs.length} of ${plan.tasks.length}.`,
  ];
}

/** Writes the JSON summary, the Markdown report, the HTML report and every chart as SVG. */
export async function writeReport(plan: SuitePlan, records: ReadonlyMap<string, RunRecord>, paths: OutputPaths, meta: ReportMeta): Promise<WrittenReport> {
  const spec = plan.suite.spec;
  const rows = summariseRows(plan, records);
  const runs = planRecords(plan, records);
  const lines = facts(plan, meta, runs);
  // LM suites: calibration of a vocabulary-wide last-position softmax says nothing useful; leave it out
  const lmSuite = rows.some((r) => r.lm);
  const charts = await Promise.all(reportCharts(rows).filter((chart) => !(lmSuite && chart.name === 'reliability')).map(async (chart) => ({ chart, svg: await renderSvg(chart) })));
  await mkdir(paths.charts, { recursive: true });
  const files: string[] = [];
  for (const { chart, svg } of charts) {
    const file = join(paths.charts, `${chart.name}.svg`);
    await writeFileAtomic(file, svg);
    files.push(file);
  }
  const tables = markdownTables(rows, spec.references);
  const chartLinks = charts.map(({ chart }) => `![${chart.title}](${relative(dirname(paths.markdown), join(paths.charts, `${chart.name}.svg`)).split('\\').join('/')})\n\n*${chart.caption}*`).join('\n\n');
  const references = markdownReferences(spec.references);
  const samples = sampleEntries(runs);
  const markdown = [
    `# ${spec.name}`,
    spec.description,
    lines.join('\n'),
    'Last-epoch test metrics, mean ± standard deviation over seeds (best-epoch accuracy is in the JSON). "paper" is the published figure for the same setting.',
    tables,
    '## Charts',
    chartLinks,
    ...(samples.length > 0 ? ['## Samples', SAMPLES_NOTE, markdownSamples(samples)] : []),
    ...(references ? ['## References', references] : []),
  ].join('\n\n');
  const json: SuiteReportJson = {
    suite: spec.name,
    description: spec.description,
    budget: spec.budget,
    quick: plan.suite.quick,
    backends: meta.backends.length ? meta.backends : [...new Set(runs.map((r) => r.backend.selected))],
    workers: meta.workers,
    startedAt: meta.startedAt,
    wallSeconds: meta.wallSeconds,
    seeds: plan.seeds,
    rows: rows.map(({ curve: _curve, reliability: _reliability, ...rest }) => rest),
    runs,
  };
  await writeFileAtomic(paths.json, `${JSON.stringify(json, null, 2)}\n`);
  await writeFileAtomic(paths.markdown, `${markdown}\n`);
  await writeFileAtomic(paths.html, htmlReport({ spec, rows, charts, facts: lines, samples }));
  files.push(paths.json, paths.markdown, paths.html);
  return { rows, tables, json, files };
}
