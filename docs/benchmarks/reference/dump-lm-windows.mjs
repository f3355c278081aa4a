// Writes the token windows of the bench's `lm` suite (apps/bench/suites/lm.yaml) as raw little-endian
// int32 arrays for the PyTorch cross-check beside it (lm_kd_torch.py). Same pipeline as
// apps/bench/src/text/text-data.ts: a WordPiece vocabulary of 1,000 pieces learned from the three-way
// SpamAssassin corpus's training split, one token stream per split (each message capped at 256 pieces,
// followed by [SEP]), 32-token windows without overlap, then 3,000 evenly spaced training windows and
// 1,000 evenly spaced test windows (index floor(i * size / n)).
// Files: {train,test}-x.i32 [n, 32] window ids; {train,test}-y.i32 [n] the token after each window (the
// targets at every position are concat(x[1:], y)); {train,test}-index.i32 the chosen window numbers;
// meta.json. The windows hold no [PAD] (id 0): the bench's padding mask is 1 everywhere, and the script
// reports the count of pad ids it finds anyway.
// Run from the repository root after `npm run build`:
//   node docs/benchmarks/reference/dump-lm-windows.mjs /tmp/lm [trainLimit testLimit]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageModelDatasets, WordPieceTokenizer, PAD_ID, SEP_ID } from '@distillery/data';
import { loadSpamAssassin } from '@distillery/data/node';

const out = process.argv[2] ?? '/tmp/lm';
const trainLimit = Number(process.argv[3] ?? 3000);
const testLimit = Number(process.argv[4] ?? 1000);
// the suite's dataset block: { name: spam-assassin-lm, maxLength: 32, vocabSize: 1000 }; maxTokensPerText
// is the bench default DEFAULT_MAX_TOKENS_PER_TEXT (256); no stride (windows do not overlap)
const maxLength = 32;
const vocabSize = 1000;
const maxTokensPerText = 256;

mkdirSync(out, { recursive: true });
const corpus = await loadSpamAssassin({ task: 'three-way' });
const tokenizer = WordPieceTokenizer.train(corpus.train.texts, { vocabSize });
writeFileSync(join(out, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
const lm = languageModelDatasets(corpus, { tokenizer, length: maxLength, maxTokensPerText });

const evenlySpaced = (size, n) => (n < size ? Array.from({ length: n }, (_, i) => Math.floor((i * size) / n)) : Array.from({ length: size }, (_, i) => i));
const write = (name, array) => writeFileSync(join(out, name), Buffer.from(array.buffer, array.byteOffset, array.byteLength));

const meta = { suite: 'lm', vocabSize, tokenizerVocabSize: tokenizer.vocabSize, windowLength: maxLength, maxTokensPerText, padId: PAD_ID, sepId: SEP_ID, splits: {} };
for (const [name, dataset, limit] of [['train', lm.train, trainLimit], ['test', lm.test, testLimit]]) {
  const indices = evenlySpaced(dataset.size, limit);
  const x = new Int32Array(indices.length * maxLength);
  const y = new Int32Array(indices.length);
  indices.forEach((w, i) => {
    x.set(dataset.tokenIds(w), i * maxLength);
    y[i] = dataset.labels[w];
  });
  let pads = 0;
  for (const id of x) if (id === PAD_ID) pads++;
  for (const id of y) if (id === PAD_ID) pads++;
  write(`${name}-x.i32`, x);
  write(`${name}-y.i32`, y);
  write(`${name}-index.i32`, Int32Array.from(indices));
  meta.splits[name] = { windows: indices.length, ofWindows: dataset.size, padIds: pads };
  console.log(`${name}: ${indices.length} of ${dataset.size} windows x ${maxLength} tokens (${pads} pad ids) -> ${out}`);
}
writeFileSync(join(out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
console.log(`vocabulary: ${tokenizer.vocabSize} pieces (model vocabSize ${vocabSize})`);
