import * as tf from '@tensorflow/tfjs';
import { resolveTransformerClassifier } from './config.js';
import { createEncoderWeights, encoderTapNames, encoderTaps, runEncoder } from './encoder.js';
import { linear } from './ops.js';
import { createTextModel } from './text-model.js';
import type { TextModel, TransformerClassifierConfig } from './types.js';

/**
 * A BERT-style encoder classifier (Devlin et al. 2019): token + learned position embeddings, `layers`
 * post-LN Transformer blocks with GELU feed-forwards, and a linear head on the final hidden state of the
 * first position (the [CLS] token inputs start with). Padded keys are masked out of every attention.
 *
 * Taps (text contract): mask, embeddings, hidden.i, attention.scores.i, attention.probs.i, queries.i,
 * keys.i, values.i (i = 1..layers) and pooled [B, width].
 */
export function transformerClassifier(options: TransformerClassifierConfig): TextModel {
  const config = resolveTransformerClassifier(options);
  return createTextModel({ kind: 'transformer-classifier', config }, (parameters) => {
    const encoder = createEncoderWeights(parameters, config);
    const head = {
      kernel: parameters.weight('classifier/kernel', [config.width, config.numClasses], { kind: 'truncated-normal', std: 0.02 }),
      bias: parameters.weight('classifier/bias', [config.numClasses], { kind: 'zeros' }),
    };
    return {
      featureNames: [...encoderTapNames(config.layers), 'pooled'],
      run: ({ ids, mask }, dropout) => {
        const result = runEncoder(encoder, ids, mask, config.heads, false, dropout);
        const last = result.hidden[result.hidden.length - 1] as tf.Tensor;
        const [batch, , width] = last.shape as [number, number, number];
        const pooled = tf.reshape(tf.slice(last, [0, 0, 0], [batch, 1, width]), [batch, width]);
        const logits = linear(dropout(pooled, 'pooled'), head) as tf.Tensor2D;
        return { logits, features: { ...encoderTaps(result), pooled } };
      },
    };
  });
}
