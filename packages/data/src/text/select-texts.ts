import { ConfigError, EmptyDatasetError } from '@distillery/core';
import { createRng, mixSeed, permutation } from '../random.js';
import { checkPositiveInteger } from '../shape.js';
import type { TextSplit } from './corpus.js';

const LOW_LABEL_STREAM = 0x4c4f_574c;

/** The texts at the given positions, in the given order. */
export function selectTexts(split: TextSplit, positions: readonly number[]): TextSplit {
  for (const p of positions) {
    if (!Number.isInteger(p) || p < 0 || p >= split.texts.length) {
      throw new ConfigError(`text position ${p} is outside the split (size ${split.texts.length})`, 'select positions in [0, size)');
    }
  }
  return {
    texts: positions.map((p) => split.texts[p] as string),
    labels: Int32Array.from(positions, (p) => split.labels[p] as number),
    ids: positions.map((p) => split.ids[p] as string),
  };
}

export interface LowLabelOptions {
  /** labelled examples kept per class */
  readonly perClass: number;
  readonly seed: number;
}

export interface LowLabelSplit {
  /** up to perClass texts of each class */
  readonly labelled: TextSplit;
  /** every other text: transfer data for distillation (labels kept for evaluation; a KD scheme should not read them) */
  readonly unlabelled: TextSplit;
}

/**
 * The low-label setting: `perClass` labelled texts of each class (the first met in a seeded order of the
 * split, kept in split order) and the rest as unlabelled transfer data. Classes with fewer texts give all
 * of theirs to the labelled part.
 */
export function lowLabelSplit(split: TextSplit, options: LowLabelOptions): LowLabelSplit {
  checkPositiveInteger('perClass', options.perClass);
  const order = permutation(split.texts.length, createRng(mixSeed(options.seed, LOW_LABEL_STREAM)));
  const taken = new Map<number, number>();
  const labelled = new Uint8Array(split.texts.length);
  for (const position of order) {
    const label = split.labels[position] as number;
    const count = taken.get(label) ?? 0;
    if (count < options.perClass) {
      taken.set(label, count + 1);
      labelled[position] = 1;
    }
  }
  const keep: number[] = [];
  const rest: number[] = [];
  labelled.forEach((flag, i) => (flag ? keep : rest).push(i));
  if (keep.length === 0) throw new EmptyDatasetError('the labelled part of the low-label split');
  return { labelled: selectTexts(split, keep), unlabelled: selectTexts(split, rest) };
}
