/** One split of a labelled text corpus: raw texts with their labels and stable ids. */
export interface TextSplit {
  readonly texts: readonly string[];
  /** class ids, one per text */
  readonly labels: Int32Array;
  /** stable id of each text in the source corpus (for SpamAssassin "group/id") */
  readonly ids: readonly string[];
}

/** A text classification corpus split into train / validation / test. */
export interface TextCorpus {
  readonly name: string;
  readonly classNames: readonly string[];
  readonly train: TextSplit;
  readonly validation: TextSplit;
  readonly test: TextSplit;
}

export type TextSplitName = 'train' | 'validation' | 'test';
export const TEXT_SPLITS: readonly TextSplitName[] = ['train', 'validation', 'test'];
