import * as tf from '@tensorflow/tfjs';
import { resolveTransformerLM } from './config.js';
import { createEncoderWeights, encoderTapNames, encoderTaps, runEncoder } from './encoder.js';
import { createTextModel } from './text-model.js';
import type { TextModel, TransformerLMConfig } from './types.js';

/**
 * A causal Transformer language model: the encoder blocks of `transformerClassifier` with a causal mask
 * (position t attends to positions <= t), and an output projection to the vocabulary that is the token
 * embedding matrix transposed (`tiedEmbeddings`, default, Press & Wolf 2017) or its own [width, vocab]
 * kernel; both add a per-token bias.
 *
 * `logits` [B, V] are the next-token logits at the last real (non-pad) position: for the full windows
 * the text datasets yield that is the last position, whose target is the dataset's label. Taps: mask,
 * tokens (int32 input ids), tokenLogits [B, L, V] and the encoder taps (embeddings, hidden.i, attention.*).
 */
export function transformerLM(options: TransformerLMConfig): TextModel {
  const config = resolveTransformerLM(options);
  return createTextModel({ kind: 'transformer-lm', config }, (parameters) => {
    const encoder = createEncoderWeights(parameters, config);
    const kernel = config.tiedEmbeddings ? undefined : parameters.weight('lm/kernel', [config.width, config.vocabSize], { kind: 'truncated-normal', std: 0.02 });
    const bias = parameters.weight('lm/bias', [config.vocabSize], { kind: 'zeros' });
    return {
      featureNames: ['tokens', 'tokenLogits', ...encoderTapNames(config.layers)],
      run: ({ ids, mask }, dropout) => {
        const result = runEncoder(encoder, ids, mask, config.heads, true, dropout);
        const last = result.hidden[result.hidden.length - 1] as tf.Tensor;
        const [batch, length, width] = last.shape as [number, number, number];
        const flat = tf.reshape(last, [batch * length, width]) as tf.Tensor2D;
        const projected = kernel === undefined ? tf.matMul(flat, encoder.tokenEmbedding, false, true) : tf.matMul(flat, kernel);
        const tokenLogits = tf.reshape(tf.add(projected, bias), [batch, length, config.vocabSize]);
        // one-hot row selection [B, 1, L] x [B, L, V]: exact (every other term is 0 * finite)
        const lastReal = tf.maximum(tf.sub(tf.sum(mask, 1), 1), 0);
        const pick = tf.reshape(tf.oneHot(tf.cast(lastReal, 'int32'), length), [batch, 1, length]);
        const logits = tf.reshape(tf.matMul(pick, tokenLogits), [batch, config.vocabSize]) as tf.Tensor2D;
        return { logits, features: { tokens: tf.clone(ids), tokenLogits, ...encoderTaps(result) } };
      },
    };
  });
}
