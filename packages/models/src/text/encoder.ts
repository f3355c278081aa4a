import * as tf from '@tensorflow/tfjs';
import { attentionBias, multiHeadAttention, type AttentionResult, type AttentionWeights } from './attention.js';
import type { Dropout } from './dropout.js';
import { embed, gelu, layerNorm, linear, type DenseWeights, type LayerNormWeights } from './ops.js';
import type { ParameterStore } from './parameters.js';

export interface EncoderLayerWeights {
  readonly attention: AttentionWeights;
  readonly attentionNorm: LayerNormWeights;
  readonly inner: DenseWeights;
  readonly outer: DenseWeights;
  readonly outputNorm: LayerNormWeights;
}

export interface EncoderWeights {
  /** [vocab, D]; the LM's tied output projection reuses it */
  readonly tokenEmbedding: tf.Variable;
  /** [maxLength, D] learned positions */
  readonly positionEmbedding: tf.Variable;
  readonly embeddingNorm: LayerNormWeights;
  readonly layers: readonly EncoderLayerWeights[];
}

export interface EncoderShape {
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly width: number;
  readonly ffWidth: number;
  readonly layers: number;
}

/** BERT's initialisation: truncated normal(0, 0.02) weights, zero biases, unit layer-norm gains. */
const WEIGHT = { kind: 'truncated-normal', std: 0.02 } as const;

function dense(parameters: ParameterStore, key: string, inputs: number, units: number): DenseWeights {
  return { kernel: parameters.weight(`${key}/kernel`, [inputs, units], WEIGHT), bias: parameters.weight(`${key}/bias`, [units], { kind: 'zeros' }) };
}

function norm(parameters: ParameterStore, key: string, width: number): LayerNormWeights {
  return { gamma: parameters.weight(`${key}/gamma`, [width], { kind: 'ones' }), beta: parameters.weight(`${key}/beta`, [width], { kind: 'zeros' }) };
}

export function createEncoderWeights(parameters: ParameterStore, shape: EncoderShape): EncoderWeights {
  const { width, ffWidth } = shape;
  const tokenEmbedding = parameters.weight('embeddings/token', [shape.vocabSize, width], WEIGHT);
  const positionEmbedding = parameters.weight('embeddings/position', [shape.maxLength, width], WEIGHT);
  const embeddingNorm = norm(parameters, 'embeddings/norm', width);
  const layers = Array.from({ length: shape.layers }, (_, i): EncoderLayerWeights => {
    const prefix = `layer${i + 1}`;
    return {
      attention: {
        query: dense(parameters, `${prefix}/attention/query`, width, width),
        key: dense(parameters, `${prefix}/attention/key`, width, width),
        value: dense(parameters, `${prefix}/attention/value`, width, width),
        output: dense(parameters, `${prefix}/attention/output`, width, width),
      },
      attentionNorm: norm(parameters, `${prefix}/attention/norm`, width),
      inner: dense(parameters, `${prefix}/ffn/inner`, width, ffWidth),
      outer: dense(parameters, `${prefix}/ffn/outer`, ffWidth, width),
      outputNorm: norm(parameters, `${prefix}/ffn/norm`, width),
    };
  });
  return { tokenEmbedding, positionEmbedding, embeddingNorm, layers };
}

/**
 * Post-LN (BERT-style) block: h = LN(x + Drop(Attn(x))); out = LN(h + Drop(W2 GELU(W1 h))).
 */
export function encoderLayer(
  x: tf.Tensor,
  weights: EncoderLayerWeights,
  heads: number,
  bias: tf.Tensor,
  dropout: Dropout,
  site: string,
): { output: tf.Tensor; attention: AttentionResult } {
  const attention = multiHeadAttention(x, weights.attention, heads, bias, dropout, `${site}/attention`);
  const attended = layerNorm(tf.add(x, dropout(attention.output, `${site}/attention/output`)), weights.attentionNorm);
  const feedForward = linear(gelu(linear(attended, weights.inner)), weights.outer);
  const output = layerNorm(tf.add(attended, dropout(feedForward, `${site}/ffn/output`)), weights.outputNorm);
  return { output, attention };
}

export interface EncoderResult {
  /** [B, L, D] token + position embeddings after layer norm (before dropout) */
  readonly embeddings: tf.Tensor;
  /** [B, L, D] output of each layer, layer 1 first */
  readonly hidden: readonly tf.Tensor[];
  /** per layer: attention scores/probs [B, H, L, L] and queries/keys/values [B, H, L, dh] */
  readonly attention: readonly AttentionResult[];
}

/** Runs the encoder over int32 ids [B, L] with mask [B, L] (1 real, 0 pad). */
export function runEncoder(weights: EncoderWeights, ids: tf.Tensor, mask: tf.Tensor, heads: number, causal: boolean, dropout: Dropout): EncoderResult {
  const length = ids.shape[1] as number;
  const positions = tf.slice(weights.positionEmbedding, [0, 0], [length, -1]);
  const embeddings = layerNorm(tf.add(embed(weights.tokenEmbedding, ids), positions), weights.embeddingNorm);
  const bias = attentionBias(mask, causal);
  let h = dropout(embeddings, 'embeddings');
  const hidden: tf.Tensor[] = [];
  const attention: AttentionResult[] = [];
  weights.layers.forEach((layer, i) => {
    const result = encoderLayer(h, layer, heads, bias, dropout, `layer${i + 1}`);
    h = result.output;
    hidden.push(h);
    attention.push(result.attention);
  });
  return { embeddings, hidden, attention };
}

/** The feature taps every Transformer shares, named by the text contract. */
export function encoderTaps(result: EncoderResult): Record<string, tf.Tensor> {
  const taps: Record<string, tf.Tensor> = { embeddings: result.embeddings };
  result.hidden.forEach((h, i) => {
    taps[`hidden.${i + 1}`] = h;
  });
  result.attention.forEach((a, i) => {
    taps[`attention.scores.${i + 1}`] = a.scores;
    taps[`attention.probs.${i + 1}`] = a.probs;
    taps[`queries.${i + 1}`] = a.queries;
    taps[`keys.${i + 1}`] = a.keys;
    taps[`values.${i + 1}`] = a.values;
  });
  return taps;
}

export function encoderTapNames(layers: number): string[] {
  const names = ['embeddings'];
  for (let i = 1; i <= layers; i++) names.push(`hidden.${i}`);
  for (let i = 1; i <= layers; i++) names.push(`attention.scores.${i}`, `attention.probs.${i}`, `queries.${i}`, `keys.${i}`, `values.${i}`);
  return names;
}
