import type { ReferenceSpec, PaperFigure, SuiteSpec } from '../suites/schema.js';
import type { MeanStd } from './stats.js';
import type { RowSummary } from './summary.js';

const pm = (value: MeanStd, digits: number): string => (value.n === 0 ? '-' : `${value.mean.toFixed(digits)} ± ${value.std.toFixed(digits)}`);

/** "Hinton 2015" from a reference's first author's surname and year. */
export function citation(reference: ReferenceSpec | undefined, key: string): string {
  if (!reference) return key;
  const first = reference.authors.split(/,| and /)[0]?.trim() ?? reference.authors;
  const surname = first.split(/\s+/).pop() ?? first;
  return `${surname} ${reference.year}`;
}

/** A paper's number as printed beside ours: "67 errors", "98.79 %", "47.3 % err". */
export function formatPaper(paper: PaperFigure | undefined, references: SuiteSpec['references']): string {
  if (!paper) return '-';
  const value =
    paper.errors !== undefined ? `${paper.errors} errors` : paper.accuracy !== undefined ? `${paper.accuracy.toFixed(2)} %` : `${(paper.errorRate ?? NaN).toFixed(1)} % err`;
  return `${value} [${citation(references[paper.source], paper.source)}]`;
}

function params(row: RowSummary): string {
  const model = row.params.toLocaleString('en-US');
  return row.extraParams > 0 ? `${model} + ${row.extraParams.toLocaleString('en-US')}` : model;
}

const TIMING_COLUMNS = ['train s', 'samples/s'];
export const TABLE_HEADER = ['method', 'seeds', 'params', 'test errors', 'accuracy %', 'ECE %', 'agreement with teacher %', ...TIMING_COLUMNS, 'paper'];

/** Language-model suites: perplexity and next-token accuracy over every position replace the classifier's columns. */
export const LM_TABLE_HEADER = ['method', 'seeds', 'params', 'test perplexity', 'next-token accuracy %', 'agreement with teacher (last position) %', ...TIMING_COLUMNS, 'paper'];

/** The header of a table of these rows: the LM one when they carry perplexity. */
export const headerOf = (rows: readonly RowSummary[]): string[] => (rows.some((r) => r.lm) ? LM_TABLE_HEADER : TABLE_HEADER);

/** One table row's cells, in TABLE_HEADER order (LM_TABLE_HEADER for language-model rows). */
export function rowCells(row: RowSummary, references: SuiteSpec['references']): string[] {
  if (row.lm) {
    return [
      row.id,
      row.seedsDone === row.seedsPlanned ? String(row.seedsDone) : `${row.seedsDone}/${row.seedsPlanned}`,
      params(row),
      pm(row.lm.perplexity, 2),
      pm(row.lm.nextTokenAccuracy, 2),
      row.agreement ? pm(row.agreement, 2) : '-',
      pm(row.trainSeconds, 1),
      row.samplesPerSecond.n === 0 ? '-' : row.samplesPerSecond.mean.toFixed(0),
      formatPaper(row.paper, references),
    ];
  }
  return [
    row.id,
    row.seedsDone === row.seedsPlanned ? String(row.seedsDone) : `${row.seedsDone}/${row.seedsPlanned}`,
    params(row),
    pm(row.errors, 1),
    pm(row.accuracy, 2),
    pm(row.ece, 2),
    row.agreement ? pm(row.agreement, 2) : '-',
    row.variant === 'class-bias' ? '-' : pm(row.trainSeconds, 1),
    row.variant === 'class-bias' || row.samplesPerSecond.n === 0 ? '-' : row.samplesPerSecond.mean.toFixed(0),
    formatPaper(row.paper, references),
  ];
}

/** The table of one group in Markdown (readable as plain text in a terminal too). */
export function markdownTable(rows: readonly RowSummary[], references: SuiteSpec['references']): string {
  const columns = headerOf(rows);
  const header = `| ${columns.join(' | ')} |`;
  const rule = `|${columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  return [header, rule, ...rows.map((row) => `| ${rowCells(row, references).join(' | ')} |`)].join('\n');
}

/** Tables per group, each under a heading when the suite has several groups. */
export function markdownTables(rows: readonly RowSummary[], references: SuiteSpec['references']): string {
  const groups = [...new Set(rows.map((r) => r.group))];
  if (groups.length <= 1) return markdownTable(rows, references);
  return groups.map((group) => `### ${group}\n\n${markdownTable(rows.filter((r) => r.group === group), references)}`).join('\n\n');
}

/** References cited by the suite, as a Markdown list. */
export function markdownReferences(references: SuiteSpec['references']): string {
  return Object.entries(references)
    .map(([key, ref]) => `- [${citation(ref, key)}] ${ref.authors}, *${ref.title}*, ${ref.year}${ref.url ? `. ${ref.url}` : ''}`)
    .join('\n');
}
