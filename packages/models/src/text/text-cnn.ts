import * as tf from '@tensorflow/tfjs';
import { resolveTextCnn } from './config.js';
import { embed, linear } from './ops.js';
import { createTextModel } from './text-model.js';
import type { TextCnnConfig, TextModel } from './types.js';

/**
 * Kim's (2014) CNN for sentence classification: 1-D convolutions of several widths over the token
 * embeddings, ReLU, max over time, dropout and a dense head.
 *
 * Masking: padded positions' embeddings are zeroed and each sequence gets width-1 zero vectors on the
 * right, so a window starting at position t sees tokens t..t+w-1 with zeros past the end - exactly what
 * it would see with more padding appended. Only windows that start at a real token are pooled; pooling
 * multiplies the ReLU outputs by the mask, which after ReLU (values >= 0) equals a max over real starts
 * and also gives an all-pad row 0 instead of -infinity. Every real sequence has at least one window.
 *
 * Taps: mask, embeddings [B, L, E] (zero at pads), pooled [B, filters x widths].
 */
export function textCnn(options: TextCnnConfig): TextModel {
  const config = resolveTextCnn(options);
  const E = config.embeddingSize;
  return createTextModel({ kind: 'text-cnn', config }, (parameters) => {
    const table = parameters.weight('embeddings/token', [config.vocabSize, E], { kind: 'uniform', limit: 0.05 });
    const convs = config.filterWidths.map((w, i) => ({
      width: w,
      kernel: parameters.weight(`conv${i + 1}/kernel`, [w, E, config.filters], { kind: 'glorot', fanIn: w * E, fanOut: w * config.filters }),
      bias: parameters.weight(`conv${i + 1}/bias`, [config.filters], { kind: 'zeros' }),
    }));
    const pooledSize = config.filters * convs.length;
    const head = {
      kernel: parameters.weight('classifier/kernel', [pooledSize, config.numClasses], { kind: 'glorot', fanIn: pooledSize, fanOut: config.numClasses }),
      bias: parameters.weight('classifier/bias', [config.numClasses], { kind: 'zeros' }),
    };
    return {
      featureNames: ['embeddings', 'pooled'],
      run: ({ ids, mask }, dropout) => {
        const embeddings = tf.mul(embed(table, ids), tf.expandDims(mask, 2));
        const pooledParts = convs.map(({ width, kernel, bias }) => {
          const padded = width > 1 ? tf.pad(embeddings, [[0, 0], [0, width - 1], [0, 0]]) : embeddings;
          const activations = tf.relu(tf.add(tf.conv1d(padded as tf.Tensor3D, kernel as tf.Tensor3D, 1, 'valid'), bias));
          return tf.max(tf.mul(activations, tf.expandDims(mask, 2)), 1);
        });
        const pooled = pooledParts.length === 1 ? (pooledParts[0] as tf.Tensor) : tf.concat(pooledParts, 1);
        const logits = linear(dropout(pooled, 'pooled'), head) as tf.Tensor2D;
        return { logits, features: { embeddings, pooled } };
      },
    };
  });
}
