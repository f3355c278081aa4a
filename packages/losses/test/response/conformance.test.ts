import * as tf from '@tensorflow/tfjs';
import { describeLossConformance, makeStepContext } from '@distillery/testkit';
import type { StepContext } from '@distillery/core';
import {
  bdkdLoss,
  continuationKd,
  ctkdLoss,
  dkdLoss,
  jsDivergence,
  lsrLoss,
  nkdLoss,
  reverseKl,
  tfKdVirtual,
  tfNkdLoss,
} from '../../src/index.js';
import { LABELS, STUDENT } from '../helpers.js';

// testkit's suite on every response loss: finite scalar terms, finite-difference gradients, typed
// requirement errors in prepare, no leaks over 50 calls, dispose releases what the loss made.

/** student and teacher with the same (non-uniform) logits */
const identical = (fraction = 0.5) => (): StepContext => ({
  student: { logits: tf.tensor2d(STUDENT), features: {} },
  teacher: { logits: tf.tensor2d(STUDENT), features: {} },
  labels: tf.tensor1d(LABELS, 'int32'),
  indices: tf.tensor1d([0, 1, 2], 'int32'),
  numClasses: 4,
  progress: { epoch: 0, step: 0, fraction },
});

const uniformStudent = (): StepContext => ({
  student: { logits: tf.fill([2, 5], 0.7) as tf.Tensor2D, features: {} },
  labels: tf.tensor1d([1, 4], 'int32'),
  indices: tf.tensor1d([0, 1], 'int32'),
  numClasses: 5,
  progress: { epoch: 0, step: 0, fraction: 0 },
});

const withTeacher = (seed: number, teacher: 'white-box' | 'black-box' = 'white-box') => () =>
  makeStepContext({ batch: 4, classes: 5, seed, logitScale: 2, teacher });
const withoutTeacher = (seed: number) => () => makeStepContext({ batch: 4, classes: 5, seed, teacher: 'none' });

for (const options of [{}, { temperature: 1, scaleByT2: false }] as const) {
  describeLossConformance(`reverse-kl ${JSON.stringify(options)}`, {
    create: () => reverseKl(options),
    makeContext: withTeacher(21),
    analyticCases: [{ name: 'identical logits give 0', context: identical(), expected: { reverseKl: 0 } }],
  });
}

for (const options of [{}, { temperature: 1, reduction: 'sum' }] as const) {
  describeLossConformance(`js ${JSON.stringify(options)}`, {
    create: () => jsDivergence(options),
    makeContext: withTeacher(22),
    analyticCases: [{ name: 'identical logits give 0', context: identical(), expected: { js: 0 } }],
  });
}
describeLossConformance('js with a black-box teacher', { create: () => jsDivergence(), makeContext: withTeacher(23, 'black-box') });

for (const options of [{}, { temperature: 2, emphasisWeight: 3, baseWeight: 0.5 }]) {
  describeLossConformance(`bdkd ${JSON.stringify(options)}`, {
    create: () => bdkdLoss(options),
    makeContext: withTeacher(24),
    analyticCases: [{ name: 'identical logits give 0', context: identical(), expected: { bdkd: 0 } }],
  });
}

describeLossConformance('dkd (defaults, past the warm-up)', {
  create: () => dkdLoss(),
  makeContext: withTeacher(25),
  analyticCases: [
    { name: 'identical logits give 0 for both parts', context: identical(), expected: { tckd: 0, nckd: 0 } },
    { name: 'weight 0 at the start of the warm-up', context: identical(0), expected: { tckd: 0, nckd: 0 } },
  ],
});
describeLossConformance('dkd with a black-box teacher, T = 1', { create: () => dkdLoss({ temperature: 1, beta: 2 }), makeContext: withTeacher(26, 'black-box') });

for (const options of [{}, { temperature: 4, gamma: 1 }]) {
  describeLossConformance(`nkd ${JSON.stringify(options)}`, { create: () => nkdLoss(options), makeContext: withTeacher(27) });
}

// The soft labels are built from the student's own outputs and held constant (as in USKD), so the
// analytic gradient deliberately differs from finite differences of the value; tf-nkd.test.ts checks
// it against the frozen-label objective instead.
describeLossConformance('tf-nkd', { create: () => tfNkdLoss(), makeContext: withoutTeacher(28), gradientCheck: false });

describeLossConformance('lsr', {
  create: () => lsrLoss(),
  makeContext: withoutTeacher(29),
  analyticCases: [{ name: 'a uniform student gives 0', context: uniformStudent, expected: { lsr: 0 } }],
});

// At T = 15-20 the softened distributions are nearly uniform: the loss is T^2 x a KL of ~1e-3 formed
// from log-probabilities near -log K, so float32 rounding of those logs (~1e-7 each, times T^2 = 400)
// is far larger than testkit's noise floor (which scales with the loss value) assumes. A 0.1 step and
// a 1% tolerance still catch any wrong gradient; the exact closed form T (p_S - p_T) / B is checked to
// 1e-6 in tf-kd-virtual.test.ts and ctkd.test.ts.
const highTemperatureCheck = { epsilon: 0.1, relativeTolerance: 1e-2 };

describeLossConformance('tf-kd-virtual (defaults, T = 20)', {
  create: () => tfKdVirtual(),
  makeContext: withoutTeacher(30),
  gradientCheck: highTemperatureCheck,
});
describeLossConformance('tf-kd-virtual, power softening at T = 1', {
  create: () => tfKdVirtual({ softening: 'power', temperature: 1, correctProbability: 0.99 }),
  makeContext: withoutTeacher(30),
});

// The temperature's gradient is reversed by design, so finite differences are compared on the student
// logits only; ctkd.test.ts checks the reversed gradient.
describeLossConformance('ctkd', {
  create: () => ctkdLoss(),
  makeContext: withTeacher(31),
  gradientCheck: { variables: false, ...highTemperatureCheck },
  analyticCases: [{ name: 'identical logits give 0', context: identical(), expected: { ctkd: 0 } }],
});

for (const options of [{}, { schedule: 'step', startWeight: 0.2 }] as const) {
  describeLossConformance(`continuation-kd ${JSON.stringify(options)}`, {
    create: () => continuationKd(options),
    makeContext: withTeacher(32),
    analyticCases: [{ name: 'identical logits give 0', context: identical(), expected: { continuationKd: 0 } }],
  });
}
