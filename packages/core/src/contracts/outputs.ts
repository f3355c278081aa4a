import type * as tf from '@tensorflow/tfjs';

/** Named intermediate activations ("feature taps") of a model, keyed by tap name. */
export type FeatureMap = Readonly<Record<string, tf.Tensor>>;

/** What every model hands a loss: logits [batch, classes] and any named intermediate tensors. */
export interface ModelOutputs {
  readonly logits: tf.Tensor2D;
  readonly features: FeatureMap;
}

/** Scalar loss terms by name, e.g. `{ ce, kd }`. Schemes add `total`; trainers log every term. */
export type LossTerms = Record<string, tf.Scalar>;
