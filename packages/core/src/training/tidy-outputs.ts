import * as tf from '@tensorflow/tfjs';
import type { ModelOutputs } from '../contracts/outputs.js';

/** tf.tidy for a function returning model outputs: intermediates are freed, logits and features kept. */
export function tidyOutputs(forward: () => ModelOutputs): ModelOutputs {
  const kept = tf.tidy(() => {
    const { logits, features } = forward();
    return { logits, features: { ...features } };
  });
  return kept as ModelOutputs;
}

/** Disposes every tensor of model outputs. */
export function disposeOutputs(outputs: ModelOutputs): void {
  tf.dispose([outputs.logits, ...Object.values(outputs.features)]);
}
