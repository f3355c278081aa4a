import { describe, expect, it } from 'vitest';
import { ConfigError } from '@distillery/core';
import { countWords, preTokenize, trainWordPieceVocabulary, WordPieceTokenizer } from '../../src/index.js';
import { CLS_ID, PAD_ID, SEP_ID, SPECIAL_TOKENS, UNK_ID } from '../../src/index.js';
import { naiveVocabulary } from './naive-wordpiece.js';

const TRAIN = [
  'The cheap pills are cheaper than ever! Buy cheap pills now.',
  'Meeting moved to Thursday; the agenda is attached.',
  'Re: the thing we discussed - see the attached draft, thanks.',
  'WIN a FREE cruise!!! Click here: http://win.example.com/free',
  'Thanks for the draft. The meeting is on Thursday at 10:30.',
  'Free free free, win win win, cheap cheap cheap.',
  'aaaa abab aaab baba, thanks thanks thanking thanked',
];
const OPTIONS = { vocabSize: 90, minFrequency: 2 };

describe('pre-tokenisation', () => {
  it('splits letters, digit runs and single punctuation, lower-cased, without control characters', () => {
    expect(preTokenize("Don't pay $19.99\u0000 for Café-au-lait x2!", { lowercase: true })).toEqual([
      'don', "'", 't', 'pay', '$', '19', '.', '99', 'for', 'café', '-', 'au', '-', 'lait', 'x', '2', '!',
    ]);
    expect(preTokenize('ABC def', { lowercase: false })).toEqual(['ABC', 'def']);
    expect(preTokenize(' \n\t ', { lowercase: true })).toEqual([]);
  });
});

describe('WordPiece training', () => {
  it('matches a naive recount-every-step reference, merge for merge', () => {
    const words = countWords(TRAIN, { lowercase: true, maxWordChars: 100 });
    for (const [vocabSize, minFrequency] of [[90, 2], [120, 1], [60, 3], [20, 1]] as const) {
      expect(trainWordPieceVocabulary(words, { vocabSize, minFrequency }), `${vocabSize}/${minFrequency}`).toEqual(naiveVocabulary(words, vocabSize, minFrequency));
    }
  });

  it('matches the reference on repeated-symbol runs (overlapping pairs)', () => {
    const words = new Map([['aaaaaaa', 5], ['aaa', 3], ['abababab', 4], ['baaab', 2], ['ab', 1]]);
    expect(trainWordPieceVocabulary(words, { vocabSize: 40, minFrequency: 1 })).toEqual(naiveVocabulary(words, 40, 1));
  });

  it('puts [PAD] [UNK] [CLS] [SEP] at ids 0..3 and respects the size cap', () => {
    const tokenizer = WordPieceTokenizer.train(TRAIN, OPTIONS);
    expect(tokenizer.vocab.slice(0, 4)).toEqual(SPECIAL_TOKENS);
    expect([tokenizer.id('[PAD]'), tokenizer.id('[UNK]'), tokenizer.id('[CLS]'), tokenizer.id('[SEP]')]).toEqual([PAD_ID, UNK_ID, CLS_ID, SEP_ID]);
    expect(tokenizer.vocabSize).toBe(90);
    expect(new Set(tokenizer.vocab).size).toBe(90);
    // Without enough frequent pairs the vocabulary stops early.
    expect(WordPieceTokenizer.train(['ab cd'], { vocabSize: 1000 }).vocabSize).toBeLessThan(1000);
  });

  it('is deterministic and does not depend on the order of the texts', () => {
    const a = WordPieceTokenizer.train(TRAIN, OPTIONS);
    const b = WordPieceTokenizer.train([...TRAIN].reverse(), OPTIONS);
    expect(b.vocab).toEqual(a.vocab);
    expect(WordPieceTokenizer.train(TRAIN, OPTIONS).vocab).toEqual(a.vocab);
  });

  it('rejects bad options with a ConfigError', () => {
    expect(() => WordPieceTokenizer.train(TRAIN, { vocabSize: 4 })).toThrow(ConfigError);
    expect(() => WordPieceTokenizer.train(TRAIN, { vocabSize: 50, minFrequency: 0 })).toThrow(ConfigError);
    expect(() => WordPieceTokenizer.train(TRAIN, { vocabSize: 50.5 })).toThrow(ConfigError);
  });
});

describe('WordPiece encoding', () => {
  const tokenizer = WordPieceTokenizer.train(TRAIN, OPTIONS);

  it('round-trips covered text: decode(encode(t)) is the pre-tokenised text', () => {
    for (const text of [...TRAIN, 'cheaper pills, thanks!']) {
      const ids = tokenizer.tokenIds(text);
      expect(ids).not.toContain(UNK_ID);
      expect(tokenizer.decode(ids)).toBe(preTokenize(text, { lowercase: true }).join(' '));
      expect(tokenizer.decode(tokenizer.encode(text, { maxLength: 200 }).ids)).toBe(tokenizer.decode(ids));
    }
  });

  it('spells unseen words from pieces and gives [UNK] for unknown characters and over-long words', () => {
    const pieces = tokenizer.tokenize('thanked cheapest');
    expect(pieces.join(' ')).toMatch(/##/);
    expect(tokenizer.decode(tokenizer.tokenIds('cheapest'))).toBe('cheapest');
    expect(tokenizer.tokenIds('zebra')).toEqual([UNK_ID]); // no 'z' in training
    expect(tokenizer.tokenIds('日本')).toEqual([UNK_ID]);
    const short = WordPieceTokenizer.train(TRAIN, { ...OPTIONS, maxWordChars: 5 });
    expect(short.tokenIds('cheaper')).toEqual([UNK_ID]);
    expect(short.tokenIds('cheap')).not.toContain(UNK_ID);
    expect(tokenizer.decode([UNK_ID, ...tokenizer.tokenIds('free')])).toBe('[UNK] free');
  });

  it('pads, truncates and masks exactly', () => {
    const pieces = tokenizer.tokenIds('free cruise thanks');
    const n = pieces.length;
    const padded = tokenizer.encode('free cruise thanks', { maxLength: n + 5 });
    expect(Array.from(padded.ids)).toEqual([CLS_ID, ...pieces, SEP_ID, 0, 0, 0]);
    expect(Array.from(padded.attentionMask)).toEqual([...new Array(n + 2).fill(1), 0, 0, 0]);
    expect([padded.length, padded.truncated]).toEqual([n + 2, false]);

    const cut = tokenizer.encode('free cruise thanks', { maxLength: 3 });
    expect(Array.from(cut.ids)).toEqual([CLS_ID, pieces[0], SEP_ID]);
    expect(Array.from(cut.attentionMask)).toEqual([1, 1, 1]);
    expect([cut.length, cut.truncated]).toEqual([3, true]);
    const exact = tokenizer.encode('free cruise thanks', { maxLength: n + 2 });
    expect([exact.truncated, exact.length]).toEqual([false, n + 2]);

    const bare = tokenizer.encode('free cruise thanks', { maxLength: 2, specialTokens: false });
    expect(Array.from(bare.ids)).toEqual(pieces.slice(0, 2));
    const unpadded = tokenizer.encode('free', { maxLength: 10, padding: false });
    expect(Array.from(unpadded.ids)).toEqual([CLS_ID, ...tokenizer.tokenIds('free'), SEP_ID]);
    const empty = tokenizer.encode('', { maxLength: 4 });
    expect(Array.from(empty.ids)).toEqual([CLS_ID, SEP_ID, 0, 0]);
    expect(() => tokenizer.encode('x', { maxLength: 1 })).toThrow(ConfigError);
  });

  it('saves to JSON and restores to an identical tokenizer', () => {
    const restored = WordPieceTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(restored.vocab).toEqual(tokenizer.vocab);
    expect(restored.toJSON()).toEqual(tokenizer.toJSON());
    for (const text of [...TRAIN, 'zebra cheapest 42']) expect(restored.encode(text, { maxLength: 16 })).toEqual(tokenizer.encode(text, { maxLength: 16 }));
  });

  it('rejects malformed saved tokenizers', () => {
    const good = tokenizer.toJSON();
    const bad: unknown[] = [
      null,
      { ...good, kind: 'bpe' },
      { ...good, version: 2 },
      { ...good, vocab: ['[UNK]', '[PAD]', '[CLS]', '[SEP]', 'a'] },
      { ...good, vocab: [...good.vocab, 'a', 'a'] },
      { ...good, lowercase: 'yes' },
      { ...good, maxWordChars: 0 },
    ];
    for (const value of bad) expect(() => WordPieceTokenizer.fromJSON(value), JSON.stringify(value)?.slice(0, 60)).toThrow(ConfigError);
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(ConfigError);
  });
});
