import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from './seeded-dropout.js';

/**
 * Registers Distillery's custom layers with tfjs's serialisation registry. Call it once before
 * `tf.loadLayersModel` / `loadLayersModel(dir)` reads a model that contains them. The zoo builders call
 * it themselves. It is a function rather than an import side effect because the package is marked
 * side-effect free, so bundlers may drop bare imports. Safe to call any number of times.
 */
export function registerModelLayers(): void {
  tf.serialization.registerClass(SeededDropout);
}
