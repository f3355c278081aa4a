import * as tf from '@tensorflow/tfjs';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import { crossEntropy, kdLoss } from '../src/index.js';
import type { KdOptions } from '../src/index.js';

// The shared conformance suite on both losses: gradients vs finite differences, requirements, leaks.
const uniformContext = (classes: number) => () => ({
  student: { logits: tf.zeros([2, classes]) as tf.Tensor2D, features: {} },
  teacher: { logits: tf.zeros([2, classes]) as tf.Tensor2D, features: {} },
  labels: tf.tensor1d([0, classes - 1], 'int32'),
  indices: tf.tensor1d([0, 1], 'int32'),
  numClasses: classes,
  progress: { epoch: 0, step: 0, fraction: 0 },
});

describeLossConformance('ce', {
  create: () => crossEntropy(),
  makeContext: () => makeStepContext({ batch: 4, classes: 5, teacher: 'none', seed: 1 }),
  analyticCases: [{ name: 'uniform logits give log(K)', context: uniformContext(6), expected: { ce: Math.log(6) } }],
});

describeLossConformance('ce with label smoothing 0.2', {
  create: () => crossEntropy({ labelSmoothing: 0.2 }),
  makeContext: () => makeStepContext({ batch: 4, classes: 5, teacher: 'none', seed: 2 }),
});

const kdConfigurations: ReadonlyArray<Partial<KdOptions>> = [
  {},
  { direction: 'reverse', temperature: 2 },
  { reduction: 'mean', temperature: 1 },
  { reduction: 'sum', scaleByT2: false, temperature: 8 },
];

for (const options of kdConfigurations) {
  describeLossConformance(`kd ${JSON.stringify(options)}`, {
    create: () => kdLoss(options),
    makeContext: () => makeStepContext({ batch: 4, classes: 5, seed: 3, logitScale: 3 }),
    analyticCases: [{ name: 'identical (uniform) logits give 0', context: uniformContext(4), expected: { kd: 0 } }],
  });
}

describeLossConformance('kd with a black-box teacher (log-probabilities)', {
  create: () => kdLoss(),
  makeContext: () => makeStepContext({ batch: 4, classes: 5, seed: 4, teacher: 'black-box' }),
});
