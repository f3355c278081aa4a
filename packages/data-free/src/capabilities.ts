import type * as tf from '@tensorflow/tfjs';

/**
 * Optional capabilities a scheme can offer beyond core's `Scheme` contract. They are read by duck typing
 * (`isSampleSource`, `readsTrainingSet`), so a scheme from any package can offer them without depending
 * on this one, and a tool (the benchmark app) can use them without knowing scheme names.
 */

/** A scheme that can show what its student trains on: synthetic or transformed inputs. */
export interface SampleSource {
  /**
   * `count` fresh inputs of the kind the student is trained on, [count, ...inputShape], in the teacher's
   * input space (for image data: pixels). Call after prepare(); the caller disposes the tensor.
   */
  sampleInputs(count: number): tf.Tensor;
}

/** A scheme whose steps never read batch contents: the trainer's dataset only sets the step count. */
export interface TrainingSetFree {
  readonly readsTrainingSet: false;
}

export function isSampleSource(scheme: object): scheme is SampleSource {
  return typeof (scheme as Partial<SampleSource>).sampleInputs === 'function';
}

/** False only for schemes that declare `readsTrainingSet: false` (every other scheme reads its batches). */
export function readsTrainingSet(scheme: object): boolean {
  return (scheme as Partial<TrainingSetFree>).readsTrainingSet !== false;
}
