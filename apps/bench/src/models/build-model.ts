import { lenet5Bn } from '@distillery/data-free';
import { lenet5, mlp, plainCnn, type LayersTrainableModel } from '@distillery/models';
import type { ModelSpec, View } from '../suites/schema.js';

/** Per-sample input shape of each view of 28x28 grey images. */
export function inputShapeOf(view: View): number[] {
  if (view === 'flattened') return [784];
  if (view === 'padded32') return [32, 32, 1];
  return [28, 28, 1];
}

/** A zoo model from its suite spec; the seed fixes every initial weight and dropout mask. */
export function buildModel(spec: ModelSpec, view: View, seed: number, numClasses: number, name: string): LayersTrainableModel {
  switch (spec.type) {
    case 'mlp':
      return mlp({
        name,
        inputShape: inputShapeOf(view),
        hidden: spec.hidden,
        numClasses,
        seed,
        ...(spec.dropout !== undefined ? { dropout: spec.dropout } : {}),
        ...(spec.inputDropout !== undefined ? { inputDropout: spec.inputDropout } : {}),
        ...(spec.maxNorm !== undefined ? { maxNorm: spec.maxNorm } : {}),
      });
    case 'lenet5':
      return spec.batchNorm ? lenet5Bn({ name, numClasses, seed, variant: spec.variant }) : lenet5({ name, numClasses, seed, variant: spec.variant });
    case 'plainCnn':
      return plainCnn({ name, inputShape: inputShapeOf(view), depth: spec.depth, numClasses, seed });
    default:
      // text models are no LayersModels: models/text-models.ts builds them
      throw new Error(`model type "${spec.type}" is a text model: build it with buildBenchModel`);
  }
}
