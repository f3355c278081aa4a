import { mlp } from '@distillery/models';
import { describeSchemeConformance, tinyTeacher } from '@distillery/testkit';
import { beYourOwnTeacher, bornAgainGeneration, selfPast, tfVirtual } from '../src/index.js';
import { ADAM, backbone, blobs, trainedModel } from './fixtures.js';

describeSchemeConformance('byot (dense backbone, two heads)', {
  steps: 40,
  create: () => {
    const model = backbone(1);
    return { scheme: beYourOwnTeacher({ model, taps: ['hidden0', 'hidden1'], optimizer: ADAM }), dataset: blobs(1), dispose: () => model.dispose() };
  },
});

describeSchemeConformance('byot (tf.layers mlp with dropout)', {
  steps: 30,
  create: () => {
    const model = mlp({ inputSize: 4, hidden: [12, 8], numClasses: 3, dropout: 0.1, seed: 2, name: 'byot-mlp' });
    return { scheme: beYourOwnTeacher({ model, taps: ['hidden1'], optimizer: ADAM, seed: 4 }), dataset: blobs(2), dispose: () => model.dispose() };
  },
});

describeSchemeConformance('born-again generation (from the previous generation)', {
  steps: 40,
  create: () => {
    const { model: previous, dataset } = trainedModel(3);
    const student = backbone(5);
    return {
      scheme: bornAgainGeneration({ previous: [tinyTeacher(previous)], student, optimizer: ADAM, alpha: 0.5, temperature: 2 }),
      frozen: previous.trainableVariables(),
      dataset,
      dispose: () => [previous, student].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('born-again generation (from the ensemble of two generations)', {
  steps: 40,
  create: () => {
    const { model: first, dataset } = trainedModel(4);
    const { model: second } = trainedModel(4);
    const student = backbone(6);
    return {
      scheme: bornAgainGeneration({ previous: [tinyTeacher(first), tinyTeacher(second)], student, optimizer: ADAM, teacher: 'ensemble' }),
      frozen: [...first.trainableVariables(), ...second.trainableVariables()],
      dataset,
      dispose: () => [first, second, student].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('self-past (PS-KD)', {
  steps: 40,
  create: () => {
    const model = backbone(7);
    return { scheme: selfPast({ model, optimizer: ADAM }), dataset: blobs(7), dispose: () => model.dispose() };
  },
});

describeSchemeConformance('tf-virtual', {
  steps: 40,
  create: () => {
    const model = backbone(8);
    return { scheme: tfVirtual({ model, optimizer: ADAM, alpha: 0.5 }), dataset: blobs(8), dispose: () => model.dispose() };
  },
});
