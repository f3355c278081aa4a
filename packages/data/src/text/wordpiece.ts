import { ConfigError } from '@distillery/core';
import { forEachWord, preTokenize } from './pre-tokenize.js';
import type { PreTokenizeOptions } from './pre-tokenize.js';
import { CLS_ID, CONTINUATION_PREFIX, PAD_ID, SEP_ID, SPECIAL_TOKENS, UNK_ID, UNK_TOKEN } from './specials.js';
import { MAX_VOCAB_SIZE, trainWordPieceVocabulary } from './wordpiece-trainer.js';

export interface WordPieceTrainOptions {
  /** vocabulary size cap, the four specials included (the result is smaller when merges run out) */
  readonly vocabSize: number;
  /** a merge needs a pair seen at least this often; default 2 */
  readonly minFrequency?: number;
  /** default true (BERT "uncased") */
  readonly lowercase?: boolean;
  /** longer words encode as [UNK] and are left out of training; default 100, as in BERT */
  readonly maxWordChars?: number;
}

/** The saved form of a tokenizer: plain JSON, written beside a model. */
export interface WordPieceJson {
  readonly kind: 'wordpiece';
  readonly version: 1;
  readonly lowercase: boolean;
  readonly maxWordChars: number;
  /** ids are positions; entries 0..3 are [PAD] [UNK] [CLS] [SEP] */
  readonly vocab: readonly string[];
}

export interface EncodeOptions {
  /** length of the result; longer texts are truncated, shorter ones padded with [PAD] (id 0) */
  readonly maxLength: number;
  /** wrap as [CLS] pieces [SEP] (classification inputs); default true */
  readonly specialTokens?: boolean;
  /** pad to maxLength; default true (false returns only the real tokens) */
  readonly padding?: boolean;
}

export interface Encoding {
  /** token ids, maxLength of them when padding */
  readonly ids: Int32Array;
  /** 1 for a real token (specials included), 0 for padding */
  readonly attentionMask: Int32Array;
  /** the number of real tokens */
  readonly length: number;
  /** the text had more pieces than fit */
  readonly truncated: boolean;
}

const DEFAULT_MAX_WORD_CHARS = 100;
// Caching each word's pieces makes re-encoding a corpus cheap; the cap bounds memory on odd corpora.
const WORD_CACHE_LIMIT = 200_000;

function checkInteger(what: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`WordPiece ${what} must be an integer >= ${minimum}, got ${String(value)}`, `set ${what} to an integer >= ${minimum}`);
  }
  return value;
}

/** Counts the distinct words of the training texts (what the trainer learns from). */
export function countWords(texts: Iterable<string>, options: PreTokenizeOptions & { readonly maxWordChars: number }): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of preTokenize(text, options)) {
      if (word.length <= options.maxWordChars) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * A WordPiece tokenizer (BERT's encoding: greedy longest-match-first pieces, "##" for pieces that
 * continue a word, [UNK] for a word that cannot be spelt from the vocabulary) with a vocabulary learned
 * offline by `WordPieceTokenizer.train`. Deterministic: the same texts and options give the same
 * vocabulary on every machine. Pure TypeScript, no downloads: it runs in the browser too.
 */
export class WordPieceTokenizer {
  readonly vocab: readonly string[];
  readonly lowercase: boolean;
  readonly maxWordChars: number;
  private readonly ids: Map<string, number>;
  private readonly longestPiece: number;
  private readonly cache = new Map<string, readonly number[]>();

  private constructor(vocab: readonly string[], lowercase: boolean, maxWordChars: number) {
    this.vocab = Object.freeze([...vocab]);
    this.lowercase = lowercase;
    this.maxWordChars = maxWordChars;
    this.ids = new Map(vocab.map((token, id) => [token, id]));
    let longest = 1;
    for (const token of vocab) longest = Math.max(longest, Array.from(token.startsWith(CONTINUATION_PREFIX) ? token.slice(CONTINUATION_PREFIX.length) : token).length);
    this.longestPiece = longest;
  }

  /** Learns a vocabulary from training texts only (never validation or test ones). */
  static train(texts: Iterable<string>, options: WordPieceTrainOptions): WordPieceTokenizer {
    const vocabSize = checkInteger('vocabSize', options.vocabSize, SPECIAL_TOKENS.length + 1);
    if (vocabSize > MAX_VOCAB_SIZE) throw new ConfigError(`WordPiece vocabSize ${vocabSize} is above ${MAX_VOCAB_SIZE}`, 'use a smaller vocabulary');
    const minFrequency = checkInteger('minFrequency', options.minFrequency ?? 2, 1);
    const maxWordChars = checkInteger('maxWordChars', options.maxWordChars ?? DEFAULT_MAX_WORD_CHARS, 1);
    const lowercase = options.lowercase ?? true;
    const words = countWords(texts, { lowercase, maxWordChars });
    return new WordPieceTokenizer(trainWordPieceVocabulary(words, { vocabSize, minFrequency }), lowercase, maxWordChars);
  }

  /** Restores a tokenizer saved with toJSON; a malformed object throws a ConfigError. */
  static fromJSON(json: unknown): WordPieceTokenizer {
    const bad = (reason: string): never => {
      throw new ConfigError(`not a saved WordPiece tokenizer: ${reason}`, 'pass the object written by tokenizer.toJSON() (e.g. JSON.parse of tokenizer.json)');
    };
    if (typeof json !== 'object' || json === null) return bad('not an object');
    const data = json as Partial<Record<keyof WordPieceJson, unknown>>;
    if (data.kind !== 'wordpiece' || data.version !== 1) bad(`kind ${String(data.kind)} version ${String(data.version)}, expected wordpiece 1`);
    if (typeof data.lowercase !== 'boolean') bad('lowercase is not a boolean');
    if (typeof data.maxWordChars !== 'number' || !Number.isInteger(data.maxWordChars) || data.maxWordChars < 1) bad('maxWordChars is not a positive integer');
    const vocab = data.vocab;
    if (!Array.isArray(vocab) || !vocab.every((t) => typeof t === 'string' && t.length > 0)) return bad('vocab is not a list of non-empty strings');
    SPECIAL_TOKENS.forEach((token, id) => {
      if (vocab[id] !== token) bad(`entry ${id} is ${JSON.stringify(vocab[id])}, expected ${token}`);
    });
    if (new Set(vocab).size !== vocab.length) bad('vocab has repeated entries');
    return new WordPieceTokenizer(vocab as string[], data.lowercase as boolean, data.maxWordChars as number);
  }

  toJSON(): WordPieceJson {
    return { kind: 'wordpiece', version: 1, lowercase: this.lowercase, maxWordChars: this.maxWordChars, vocab: [...this.vocab] };
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The id of a token, or undefined. */
  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  token(id: number): string | undefined {
    return this.vocab[id];
  }

  /** The piece ids of one word: greedy longest match from the left, [UNK] if any part cannot be matched. */
  private wordIds(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    let pieces: number[] = [];
    if (chars.length > this.maxWordChars) {
      pieces = [UNK_ID];
    } else {
      for (let start = 0; start < chars.length; ) {
        let found = -1;
        let end = Math.min(chars.length, start + this.longestPiece);
        for (; end > start; end--) {
          const piece = (start > 0 ? CONTINUATION_PREFIX : '') + chars.slice(start, end).join('');
          const id = this.ids.get(piece);
          if (id !== undefined && id >= SPECIAL_TOKENS.length) {
            found = id;
            break;
          }
        }
        if (found < 0) {
          pieces = [UNK_ID];
          break;
        }
        pieces.push(found);
        start = end;
      }
    }
    if (this.cache.size >= WORD_CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, pieces);
    return pieces;
  }

  /**
   * Piece ids of a text without specials or padding. `limit` stops after that many pieces (the
   * rest of the text is not even scanned).
   */
  tokenIds(text: string, limit = Infinity): number[] {
    const out: number[] = [];
    forEachWord(text, this, (word) => {
      for (const id of this.wordIds(word)) {
        if (out.length >= limit) return false;
        out.push(id);
      }
      return out.length < limit;
    });
    return out;
  }

  /** The pieces of a text as strings ("##" marks continuations). */
  tokenize(text: string): string[] {
    return this.tokenIds(text).map((id) => this.vocab[id] as string);
  }

  /** Model input for one text: truncated, wrapped in [CLS] .. [SEP] and padded (see EncodeOptions). */
  encode(text: string, options: EncodeOptions): Encoding {
    const specialTokens = options.specialTokens ?? true;
    const maxLength = checkInteger('maxLength', options.maxLength, specialTokens ? 2 : 1);
    const room = specialTokens ? maxLength - 2 : maxLength;
    // One piece more than fits tells whether anything was cut.
    const pieces = this.tokenIds(text, room + 1);
    const truncated = pieces.length > room;
    const kept = truncated ? pieces.slice(0, room) : pieces;
    const real = specialTokens ? [CLS_ID, ...kept, SEP_ID] : kept;
    const size = (options.padding ?? true) ? maxLength : real.length;
    const ids = new Int32Array(size).fill(PAD_ID);
    ids.set(real);
    const attentionMask = new Int32Array(size);
    attentionMask.fill(1, 0, real.length);
    return { ids, attentionMask, length: real.length, truncated };
  }

  /**
   * Text from ids: specials other than [UNK] dropped, "##" pieces joined to the word before, words
   * separated by single spaces. For text the vocabulary covers this is the pre-tokenised, normalised text.
   */
  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = this.vocab[id];
      if (token === undefined) throw new ConfigError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`, 'decode ids made by this tokenizer');
      if (id < SPECIAL_TOKENS.length && token !== UNK_TOKEN) continue;
      if (token.startsWith(CONTINUATION_PREFIX) && id >= SPECIAL_TOKENS.length && text.length > 0) text += token.slice(CONTINUATION_PREFIX.length);
      else text += (text.length > 0 ? ' ' : '') + token;
    }
    return text;
  }
}
