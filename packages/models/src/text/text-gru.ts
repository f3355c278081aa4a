import * as tf from '@tensorflow/tfjs';
import { resolveTextGru } from './config.js';
import { createGruWeights, runGru, type GruRun } from './gru.js';
import { embed, linear } from './ops.js';
import { createTextModel } from './text-model.js';
import type { TextGruConfig, TextModel } from './types.js';

/**
 * A GRU (or, with `bidirectional`, BiGRU) text classifier: token embeddings, one recurrent layer per
 * direction, the masked final state ('last') or masked mean state ('mean') as the sentence vector,
 * dropout and a dense head. Padded steps leave the state unchanged, so padding changes no output.
 *
 * Taps: mask, embeddings [B, L, E] (zero at pads), pooled [B, H] or [B, 2H] ([forward, backward]).
 */
export function textGru(options: TextGruConfig): TextModel {
  const config = resolveTextGru(options);
  const { embeddingSize: E, hiddenSize: H } = config;
  return createTextModel({ kind: 'text-gru', config }, (parameters) => {
    const table = parameters.weight('embeddings/token', [config.vocabSize, E], { kind: 'uniform', limit: 0.05 });
    const forwardGru = createGruWeights(parameters, 'gru/forward', E, H);
    const backwardGru = config.bidirectional ? createGruWeights(parameters, 'gru/backward', E, H) : undefined;
    const pooledSize = config.bidirectional ? 2 * H : H;
    const head = {
      kernel: parameters.weight('classifier/kernel', [pooledSize, config.numClasses], { kind: 'glorot', fanIn: pooledSize, fanOut: config.numClasses }),
      bias: parameters.weight('classifier/bias', [config.numClasses], { kind: 'zeros' }),
    };
    return {
      featureNames: ['embeddings', 'pooled'],
      run: ({ ids, mask }, dropout) => {
        const embeddings = tf.mul(embed(table, ids), tf.expandDims(mask, 2));
        const summarise = (run: GruRun): tf.Tensor => (config.pooling === 'last' ? run.final : run.mean);
        const forward = summarise(runGru(embeddings, mask, forwardGru, false));
        const pooled = backwardGru === undefined ? forward : tf.concat([forward, summarise(runGru(embeddings, mask, backwardGru, true))], 1);
        const logits = linear(dropout(pooled, 'pooled'), head) as tf.Tensor2D;
        return { logits, features: { embeddings, pooled } };
      },
    };
  });
}
