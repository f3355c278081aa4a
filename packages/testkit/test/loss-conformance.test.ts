import * as tf from '@tensorflow/tfjs';
import { describeLossConformance, makeStepContext } from '../src/index.js';
import { toyHintLoss } from './helpers/toy-hint-loss.js';

// The suite run on a conformant toy loss with features, an owned variable and two terms.
describeLossConformance('toy-hint', {
  create: () => toyHintLoss(),
  makeContext: () => makeStepContext({ batch: 3, classes: 4, studentFeatures: { hidden0: [6] }, teacherFeatures: { hidden0: [5] } }),
  analyticCases: [
    {
      name: 'zero student features against unit teacher features give hint = 1; equal logits give logitMse = 0',
      context: () => ({
        student: { logits: tf.tensor2d([[1, 2, 3, 4]]), features: { hidden0: tf.zeros([1, 6]) } },
        teacher: { logits: tf.tensor2d([[1, 2, 3, 4]]), features: { hidden0: tf.ones([1, 5]) } },
        labels: tf.tensor1d([0], 'int32'),
        indices: tf.tensor1d([0], 'int32'),
        numClasses: 4,
        progress: { epoch: 0, step: 0, fraction: 0 },
      }),
      expected: { hint: 1, logitMse: 0 },
    },
    {
      name: 'logits differing by 2 everywhere give logitMse = 4',
      context: () => ({
        student: { logits: tf.tensor2d([[0, 0, 0, 0], [1, 1, 1, 1]]), features: { hidden0: tf.zeros([2, 6]) } },
        teacher: { logits: tf.tensor2d([[2, 2, 2, 2], [-1, -1, -1, -1]]), features: { hidden0: tf.zeros([2, 5]) } },
        labels: tf.tensor1d([0, 1], 'int32'),
        indices: tf.tensor1d([0, 1], 'int32'),
        numClasses: 4,
        progress: { epoch: 0, step: 0, fraction: 0 },
      }),
      expected: { hint: 0, logitMse: 4 },
    },
  ],
});
