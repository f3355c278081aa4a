import { tinyTeacher, describeSchemeConformance } from '@distillery/testkit';
import { adversarialDataFree, batchNormTeacher, dafl, deepInversion, denseGenerator, fewShotMixup } from '../src/index.js';
import { ADAM, student, trainedBatchNormTeacher, trainedTeacher } from './fixtures.js';

/** Conformance runs every scheme on the cpu backend on blobs (4 features, 3 classes); batches only clock the steps. */
const generator = (seed: number) => denseGenerator({ outputShape: [4], latentDim: 8, hidden: [16], seed });
const G_ADAM = { name: 'adam', learningRate: 0.01 } as const;

describeSchemeConformance('dafl', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacher(3);
    const s = student(9);
    return {
      scheme: dafl({ teacher: tinyTeacher(model), student: s, generator, optimizer: ADAM, generatorOptimizer: G_ADAM, activationFeature: 'hidden0' }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('dfad (L1, 2 student steps per generator step)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacher(5);
    const s = student(10);
    return {
      scheme: adversarialDataFree({ teacher: tinyTeacher(model), student: s, generator, optimizer: ADAM, generatorOptimizer: G_ADAM, studentSteps: 2 }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('dfad (ZSKT-style KL)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacher(6);
    const s = student(11);
    return {
      scheme: adversarialDataFree({ teacher: tinyTeacher(model), student: s, generator, optimizer: ADAM, generatorOptimizer: G_ADAM, studentSteps: 2, discrepancy: 'kl' }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('deep-inversion (optimised inputs)', {
  steps: 30,
  create: () => {
    const { model, dataset } = trainedBatchNormTeacher(4);
    const s = student(12);
    return {
      scheme: deepInversion({ teacher: batchNormTeacher(model), student: s, optimizer: ADAM, inversionSteps: 5, batchNormWeight: 1, tvL2Weight: 0, jitter: 0 }),
      frozen: Object.values(model.stateVariables()),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('deep-inversion (generator)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedBatchNormTeacher(7);
    const s = student(13);
    return {
      scheme: deepInversion({
        teacher: batchNormTeacher(model),
        student: s,
        optimizer: ADAM,
        synthesis: 'generator',
        generator,
        generatorOptimizer: G_ADAM,
        batchNormWeight: 1,
        tvL2Weight: 0,
        jitter: 0,
        targets: 'random',
      }),
      frozen: Object.values(model.stateVariables()),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('few-shot-mixup (black-box teacher, fresh mixup)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacher(8);
    const s = student(14);
    return {
      scheme: fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: ADAM }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('few-shot-mixup (fixed synthetic set, 2 updates per step)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacher(9);
    const s = student(15);
    return {
      scheme: fewShotMixup({ teacher: tinyTeacher(model, 'black-box'), student: s, optimizer: ADAM, syntheticSize: 300, iterationsPerStep: 2, mixupAlpha: 0.4 }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});
