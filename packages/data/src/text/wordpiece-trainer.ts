import { Heap } from './heap.js';
import { CONTINUATION_PREFIX, SPECIAL_TOKENS } from './specials.js';

/** One distinct training word as symbol ids, with how often it occurs. */
interface TrainingWord {
  symbols: number[];
  readonly count: number;
}

interface Candidate {
  readonly count: number;
  readonly left: number;
  readonly right: number;
}

// Pair keys pack two symbol ids into one exact double; vocabularies stay far below 2^21 entries.
const PAIR_BASE = 2 ** 21;
export const MAX_VOCAB_SIZE = PAIR_BASE;
const pairKey = (left: number, right: number): number => left * PAIR_BASE + right;

/** Plain code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A word as its initial symbols: first character bare, every later one with the continuation prefix. */
function wordSymbols(word: string): string[] {
  return Array.from(word, (char, i) => (i === 0 ? char : CONTINUATION_PREFIX + char));
}

/**
 * The alphabet: every character seen, in both its word-initial and its continuing form (so a character
 * met only at word starts in training still encodes mid-word later), most frequent first, ties in string
 * order, cut to `room` entries.
 */
function alphabet(words: ReadonlyMap<string, number>, room: number): string[] {
  const initial = new Map<string, number>();
  const continuing = new Map<string, number>();
  for (const [word, count] of words) {
    let first = true;
    for (const char of word) {
      const counts = first ? initial : continuing;
      counts.set(char, (counts.get(char) ?? 0) + count);
      first = false;
    }
  }
  const symbols = new Map<string, number>();
  for (const char of new Set([...initial.keys(), ...continuing.keys()])) {
    symbols.set(char, initial.get(char) ?? 0);
    symbols.set(CONTINUATION_PREFIX + char, continuing.get(char) ?? 0);
  }
  return [...symbols.entries()]
    .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
    .slice(0, room)
    .map(([symbol]) => symbol);
}

export interface MergeTrainingOptions {
  /** final vocabulary size, the four specials included */
  readonly vocabSize: number;
  /** a pair must occur at least this often (weighted by word counts) to be merged */
  readonly minFrequency: number;
}

/**
 * Learns a WordPiece vocabulary the way Hugging Face's WordPieceTrainer does: byte-pair-encoding merges
 * over the training words written with "##" continuation pieces. Each step merges the most frequent
 * adjacent pair (ties: the pair whose left, then right, piece sorts first in string order) until the
 * vocabulary is full or no pair occurs `minFrequency` times. Pair counts are updated incrementally and
 * the best pair is kept in a heap with lazy deletion, so training costs about the number of symbols the
 * merges touch, not vocabulary size x corpus size.
 * Returns the vocabulary: [PAD] [UNK] [CLS] [SEP], the alphabet, then the merged pieces in merge order.
 */
export function trainWordPieceVocabulary(wordCounts: ReadonlyMap<string, number>, options: MergeTrainingOptions): string[] {
  const tokens = [...SPECIAL_TOKENS];
  const ids = new Map<string, number>(tokens.map((t, i) => [t, i]));
  for (const symbol of alphabet(wordCounts, Math.max(options.vocabSize - tokens.length, 0))) {
    ids.set(symbol, tokens.length);
    tokens.push(symbol);
  }

  // Words with a character cut from the alphabet are [UNK] whatever happens, so they vote for no merge.
  const words: TrainingWord[] = [];
  for (const [word, count] of [...wordCounts.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    const symbols = wordSymbols(word).map((s) => ids.get(s) ?? -1);
    if (symbols.length > 1 && symbols.every((s) => s >= 0)) words.push({ symbols, count });
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const listWord = (key: number, wordIndex: number): void => {
    const list = pairWords.get(key);
    if (list) list.push(wordIndex);
    else pairWords.set(key, [wordIndex]);
  };
  const change = (left: number, right: number, delta: number): number => {
    const key = pairKey(left, right);
    const count = (pairCounts.get(key) ?? 0) + delta;
    if (count === 0) pairCounts.delete(key);
    else pairCounts.set(key, count);
    return key;
  };
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.symbols.length; i++) listWord(change(word.symbols[i] as number, word.symbols[i + 1] as number, word.count), w);
  });

  const before = (a: Candidate, b: Candidate): boolean => {
    if (a.count !== b.count) return a.count > b.count;
    const byLeft = compareStrings(tokens[a.left] as string, tokens[b.left] as string);
    return byLeft !== 0 ? byLeft < 0 : compareStrings(tokens[a.right] as string, tokens[b.right] as string) < 0;
  };
  const heap = new Heap<Candidate>(before);
  const pushPair = (key: number): void => {
    const count = pairCounts.get(key) ?? 0;
    if (count > 0) heap.push({ count, left: Math.floor(key / PAIR_BASE), right: key % PAIR_BASE });
  };
  for (const key of pairCounts.keys()) pushPair(key);

  const visited = new Int32Array(words.length).fill(-1);
  for (let step = 0; tokens.length < options.vocabSize; step++) {
    const candidate = heap.pop();
    if (!candidate) break;
    const key = pairKey(candidate.left, candidate.right);
    const current = pairCounts.get(key) ?? 0;
    if (current !== candidate.count) {
      // A stale entry: counts only shrink without a new push, so re-queue the smaller current count.
      if (current > 0 && current < candidate.count) pushPair(key);
      continue;
    }
    if (current < options.minFrequency) break;

    const merged = (tokens[candidate.left] as string) + (tokens[candidate.right] as string).slice(CONTINUATION_PREFIX.length);
    let mergedId = ids.get(merged);
    if (mergedId === undefined) {
      mergedId = tokens.length;
      ids.set(merged, mergedId);
      tokens.push(merged);
    }
    const touched = new Set<number>();
    for (const w of pairWords.get(key) ?? []) {
      if (visited[w] === step) continue;
      visited[w] = step;
      const word = words[w] as TrainingWord;
      const { symbols, count } = word;
      const { left, right } = candidate;
      // Only the neighbours of each occurrence change: (p, left) and (right, n) become (p, M) and (M, n).
      // The left neighbour is read from the rewritten word, so back-to-back occurrences pair as (M, M).
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          change(left, right, -count);
          const before = next[next.length - 1];
          if (before !== undefined) {
            change(before, left, -count);
            const key = change(before, mergedId, count);
            touched.add(key);
            listWord(key, w);
          }
          const after = symbols[i + 2];
          if (after !== undefined) {
            change(right, after, -count);
            const key = change(mergedId, after, count);
            touched.add(key);
            listWord(key, w);
          }
          next.push(mergedId);
          i++;
        } else {
          next.push(symbols[i] as number);
        }
      }
      word.symbols = next;
    }
    pairWords.delete(key);
    pairCounts.delete(key);
    // Only pairs with the merged piece can have grown; every other count shrank or stayed.
    for (const touchedKey of touched) pushPair(touchedKey);
  }
  return tokens;
}
