import type { RunRecord } from '../runner/run-record.js';

/** One sample grid of the report: a run's generated (or otherwise synthesised) training inputs. */
export interface SampleEntry {
  readonly row: string;
  readonly seed: number;
  /** the PNG, relative to the report files (they sit beside the results file) */
  readonly path: string;
}

/** The runs that wrote a sample grid, in report order. */
export function sampleEntries(runs: readonly RunRecord[]): SampleEntry[] {
  return runs.filter((run) => run.samples !== undefined).map((run) => ({ row: run.group ? `${run.group}: ${run.row}` : run.row, seed: run.seed, path: run.samples as string }));
}

export const SAMPLES_NOTE = 'What the student trained on at the end of each run (64 inputs, pixels on the [0, 1] scale), for schemes that can show it.';

export function markdownSamples(entries: readonly SampleEntry[]): string {
  return entries.map((e) => `**${e.row}**, seed ${e.seed}\n\n![${e.row} seed ${e.seed}](${encodeURI(e.path)})`).join('\n\n');
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function htmlSamples(entries: readonly SampleEntry[]): string {
  const figures = entries.map(
    (e) => `<figure class="sample"><img src="${escapeHtml(encodeURI(e.path))}" alt="${escapeHtml(`${e.row} seed ${e.seed}`)}"><figcaption>${escapeHtml(e.row)}, seed ${e.seed}</figcaption></figure>`,
  );
  return `<div class="samples">\n${figures.join('\n')}\n</div>`;
}
