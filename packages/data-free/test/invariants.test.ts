import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scheme, TrainableModel } from '@distillery/core';
import type { LayersTrainableModel } from '@distillery/models';
import { stopGradient } from '@distillery/losses';
import { countLeakedTensors, tinyTeacher, useBackend } from '@distillery/testkit';
import {
  activationLoss,
  adversarialDataFree,
  batchNormTeacher,
  dafl,
  deepInversion,
  denseGenerator,
  discrepancy,
  fewShotMixup,
  informationEntropyLoss,
  latentCodes,
  oneHotLoss,
  type Generator,
} from '../src/index.js';
import { ADAM, PROGRESS, SGD, contextFor, firstBatch, maxChange, recordUpdates, releaseBatch, snapshot, student, trainedBatchNormTeacher, trainedTeacher } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const names = (vars: readonly tf.Variable[]) => new Set(vars.map((v) => v.name));
const makeGenerator = (seed: number): Generator => denseGenerator({ outputShape: [4], latentDim: 8, hidden: [16], seed });

/** Every applyGradients call of each optimiser lists only variables of the model it belongs to. */
function expectOwnVariables(calls: readonly string[][], own: TrainableModel | Generator, others: ReadonlyArray<TrainableModel | Generator>): void {
  expect(calls.length).toBeGreaterThan(0);
  const mine = names(own.trainableVariables());
  for (const call of calls) {
    expect(call.length).toBe(mine.size);
    for (const name of call) expect(mine.has(name)).toBe(true);
    for (const other of others) for (const name of call) expect(names(other.trainableVariables()).has(name)).toBe(false);
  }
}

describe('GAN-loop invariants', () => {
  /** Each optimiser updates only its own model, over `steps` steps; the teacher's state never moves. */
  const separation: ReadonlyArray<{
    readonly name: string;
    readonly teacher: () => { model: TrainableModel; dataset: ReturnType<typeof trainedTeacher>['dataset'] };
    readonly build: (teacher: TrainableModel, s: TrainableModel) => Scheme & { readonly generator: Generator | undefined };
    readonly steps: number;
    readonly calls: { readonly generator: number; readonly student: number };
  }> = [
    {
      name: 'dafl: the generator optimiser updates only G, the student optimiser only S, the teacher never moves',
      teacher: () => trainedTeacher(21),
      build: (model, s) => dafl({ teacher: tinyTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, activationFeature: 'hidden0' }),
      steps: 3,
      calls: { generator: 3, student: 3 },
    },
    {
      name: 'dfad: k student updates then one generator update per step, each optimiser on its own model only',
      teacher: () => trainedTeacher(25),
      build: (model, s) => adversarialDataFree({ teacher: tinyTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, studentSteps: 3 }),
      steps: 2,
      calls: { generator: 2, student: 6 },
    },
    {
      name: "deep-inversion (generator): same separation; the teacher's batch-norm statistics never move",
      teacher: () => trainedBatchNormTeacher(29),
      build: (model, s) =>
        deepInversion({ teacher: batchNormTeacher(model as LayersTrainableModel), student: s, optimizer: SGD, synthesis: 'generator', generator: makeGenerator, batchNormWeight: 1, tvL2Weight: 0, jitter: 0 }),
      steps: 2,
      calls: { generator: 2, student: 2 },
    },
  ];
  for (const { name, teacher, build, steps, calls } of separation) {
    it(name, () => {
      const { model, dataset } = teacher();
      const s = student(22);
      const scheme = build(model, s);
      const batch = firstBatch(dataset);
      scheme.prepare(contextFor(dataset), batch);
      const { optimizers } = scheme.trackables();
      const g = recordUpdates(optimizers['generator'] as tf.Optimizer);
      const st = recordUpdates(optimizers['student'] as tf.Optimizer);
      // every variable of the teacher, batch-norm moving statistics included
      const teacherState = Object.values(model.stateVariables());
      const before = snapshot(teacherState);
      for (let i = 0; i < steps; i++) tf.dispose(scheme.step(batch, { ...PROGRESS, step: i }));
      expect([g.calls.length, st.calls.length]).toEqual([calls.generator, calls.student]);
      const generator = scheme.generator as Generator;
      expectOwnVariables(g.calls, generator, [s, model]);
      expectOwnVariables(st.calls, s, [generator, model]);
      expect(maxChange(before, snapshot(teacherState))).toBe(0);
      releaseBatch(batch);
      scheme.dispose();
      [model, s].forEach((m) => m.dispose());
    });
  }

  it('dafl: one step equals the official joint backward (both models stepped from the same state, samples detached for S)', async () => {
    const { model, dataset } = trainedTeacher(23);
    const s = student(24);
    const teacher = tinyTeacher(model);
    const lr = 0.05;
    const scheme = dafl({ teacher, student: s, generator: makeGenerator, optimizer: { name: 'sgd', learningRate: lr }, generatorOptimizer: { name: 'sgd', learningRate: lr }, activationFeature: 'hidden0' });
    const batch = firstBatch(dataset, 12);
    scheme.prepare(contextFor(dataset), batch);
    const generator = scheme.generator;
    const variables = [...generator.trainableVariables(), ...s.trainableVariables()];
    // the reference: DAFL_train.py's single loss, one backward, SGD on both models
    const expected = tf.tidy(() => {
      const z = latentCodes(12, generator.latentDim, 0, 0);
      const { grads } = tf.variableGrads(() => {
        const x = generator.generate(z, { training: true });
        const out = teacher.forward(x);
        const lossG = tf.addN([oneHotLoss(out.logits), tf.mul(informationEntropyLoss(out.logits), 5), tf.mul(activationLoss(out.features['hidden0'] as tf.Tensor), 0.1)]);
        const logS = tf.logSoftmax(s.forward(stopGradient(x), { training: true }).logits);
        const pT = tf.softmax(stopGradient(out.logits));
        const kd = tf.div(tf.sum(tf.mul(pT, tf.sub(tf.log(pT), logS))), 12);
        return tf.add(lossG, kd) as tf.Scalar;
      }, variables);
      return variables.map((v) => Array.from(tf.sub(v, tf.mul(grads[v.name] as tf.Tensor, lr)).dataSync()));
    });
    // the generator's moving statistics moved in the reference pass: both passes see batch statistics, so the outputs agree
    tf.dispose(scheme.step(batch, PROGRESS));
    const actual = variables.map((v) => Array.from(v.dataSync()));
    let worst = 0;
    actual.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (expected[i]?.[j] as number))))));
    expect(worst).toBeLessThan(1e-5);
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });

  it('dfad: the generator update raises the student-teacher gap on its own samples (it maximises the discrepancy)', async () => {
    const { model, dataset } = trainedTeacher(27);
    const s = student(28);
    const teacher = tinyTeacher(model);
    // a vanishing student learning rate isolates the generator's move
    const scheme = adversarialDataFree({ teacher, student: s, generator: makeGenerator, optimizer: { name: 'sgd', learningRate: 1e-12 }, generatorOptimizer: { name: 'sgd', learningRate: 0.05 }, studentSteps: 1 });
    const batch = firstBatch(dataset, 32);
    scheme.prepare(contextFor(dataset), batch);
    const z = latentCodes(32, 8, 0, 0, 1); // the draw the generator update of step 0 uses
    const gap = () => tf.tidy(() => {
      const x = scheme.generator.generate(z, { training: true });
      return discrepancy('l1', s.forward(x, { training: false }).logits, teacher.forward(x).logits).dataSync()[0] as number;
    });
    const before = gap();
    const terms = scheme.step(batch, PROGRESS);
    expect(terms['generator']!.dataSync()[0]).toBeCloseTo(-before, 4);
    tf.dispose(terms);
    expect(gap()).toBeGreaterThan(before);
    z.dispose();
    releaseBatch(batch);
    scheme.dispose();
    [model, s].forEach((m) => m.dispose());
  });

});

describe('data-free means data-free', () => {
  it('dafl, dfad and deep-inversion never read the batch contents: NaN inputs and labels change nothing', async () => {
    const { model, dataset } = trainedBatchNormTeacher(39);
    const builds = [
      (s: TrainableModel) => dafl({ teacher: batchNormTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, activationFeature: 'hidden0' }),
      (s: TrainableModel) => adversarialDataFree({ teacher: batchNormTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, studentSteps: 2 }),
      (s: TrainableModel) => deepInversion({ teacher: batchNormTeacher(model), student: s, optimizer: SGD, inversionSteps: 2, batchNormWeight: 1, tvL2Weight: 0, jitter: 0 }),
    ];
    for (const build of builds) {
      const weights: Float32Array[][] = [];
      for (const poison of [false, true]) {
        const s = student(40);
        const scheme = build(s);
        const real = firstBatch(dataset);
        const batch = poison ? { ...real, x: tf.fill(real.x.shape, NaN), y: tf.fill([real.size], -7, 'int32') as tf.Tensor1D } : real;
        scheme.prepare(contextFor(dataset), batch);
        const terms = scheme.step(batch, PROGRESS);
        for (const value of Object.values(terms)) expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        tf.dispose(terms);
        weights.push(snapshot(s.trainableVariables()));
        scheme.dispose();
        if (poison) tf.dispose([batch.x, batch.y]);
        releaseBatch(real);
        s.dispose();
      }
      expect(maxChange(weights[0]!, weights[1]!)).toBe(0);
    }
    model.dispose();
  });
});

describe('no tensor leaks per step (50 repeats after a warm-up)', () => {
  const cases: Array<[string, () => { scheme: Scheme; dispose: () => void; dataset: ReturnType<typeof trainedTeacher>['dataset'] }]> = [
    ['dafl', () => {
      const { model, dataset } = trainedTeacher(31);
      const s = student(32);
      return { scheme: dafl({ teacher: tinyTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, activationFeature: 'hidden0' }), dataset, dispose: () => [model, s].forEach((m) => m.dispose()) };
    }],
    ['dfad', () => {
      const { model, dataset } = trainedTeacher(33);
      const s = student(34);
      return { scheme: adversarialDataFree({ teacher: tinyTeacher(model), student: s, generator: makeGenerator, optimizer: SGD, studentSteps: 2 }), dataset, dispose: () => [model, s].forEach((m) => m.dispose()) };
    }],
    ['deep-inversion (inputs)', () => {
      const { model, dataset } = trainedBatchNormTeacher(35);
      const s = student(36);
      return { scheme: deepInversion({ teacher: batchNormTeacher(model), student: s, optimizer: SGD, inversionSteps: 3, batchNormWeight: 1, tvL2Weight: 0, jitter: 0 }), dataset, dispose: () => [model, s].forEach((m) => m.dispose()) };
    }],
    ['few-shot-mixup', () => {
      const { model, dataset } = trainedTeacher(37);
      const s = student(38);
      return { scheme: fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: SGD, syntheticSize: 64 }), dataset, dispose: () => [model, s].forEach((m) => m.dispose()) };
    }],
    ['few-shot-mixup (fresh mixup every step, Adam)', () => {
      const { model, dataset } = trainedTeacher(39);
      const s = student(40);
      return { scheme: fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: ADAM }), dataset, dispose: () => [model, s].forEach((m) => m.dispose()) };
    }],
  ];
  for (const [name, build] of cases) {
    it(name, async () => {
      const { scheme, dataset, dispose } = build();
      const batch = firstBatch(dataset);
      const beforePrepare = tf.memory().numTensors;
      await scheme.prepare(contextFor(dataset), batch);
      let step = 0;
      // the caller owns the returned terms (the trainer disposes them), so the probe does too
      expect(countLeakedTensors(() => tf.dispose(scheme.step(batch, { ...PROGRESS, step: step++ })), 50)).toBe(0);
      // the trainer calls step() bare, not in a tidy (which would sweep up a step's stray intermediates,
      // as it hid few-shot-mixup's and dfad's mean of the updates' losses): the same steps, untidied
      const bare = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.dispose(scheme.step(batch, { ...PROGRESS, step: step++ }));
      expect(tf.memory().numTensors - bare).toBe(0);
      const live = tf.memory().numTensors;
      scheme.dispose();
      // dispose releases the optimisers' slots and anything the scheme built (a factory's generator, pools)
      expect(tf.memory().numTensors).toBeLessThan(live);
      // and nothing the scheme made outlives it: prepare + steps + dispose leave the count where it was
      expect(tf.memory().numTensors).toBe(beforePrepare);
      releaseBatch(batch);
      dispose();
    });
  }
});
