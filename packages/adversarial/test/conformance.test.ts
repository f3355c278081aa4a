import { kdLoss } from '@distillery/losses';
import { describeSchemeConformance, tinyDenseModel, tinyTeacher } from '@distillery/testkit';
import { adversarialDistillation, boundarySupportingDistillation, onlineAdversarialDistillation } from '../src/index.js';
import { ADAM, blobs, student, trainedTeacherModel } from './fixtures.js';

const kd = () => [{ loss: kdLoss({ temperature: 4 }), weight: 1 }];

describeSchemeConformance('adversarial-kd (logits, non-saturating, cached teacher logits)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(1);
    const s = student(1);
    return {
      scheme: adversarialDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: ADAM }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('adversarial-kd (feature + probabilities, label-conditioned, least squares, 2 D steps)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(2);
    // hidden0 of width 16 on both sides: the discriminator compares like with like
    const s = student(2, 16);
    return {
      scheme: adversarialDistillation({
        teacher: tinyTeacher(model),
        student: s,
        losses: kd(),
        optimizer: ADAM,
        ganLoss: 'least-squares',
        discriminatorSteps: 2,
        discriminatorInput: { response: 'probabilities', temperature: 2, studentFeature: 'hidden0', conditionOnLabels: true },
      }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('adversarial-kd (black-box teacher, log-probabilities, minimax, no KD loss)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(3);
    const s = student(3);
    return {
      scheme: adversarialDistillation({
        teacher: tinyTeacher(model, 'black-box'),
        student: s,
        optimizer: ADAM,
        ganLoss: 'minimax',
        adversarialWeight: 0.5,
        discriminatorInput: { response: 'log-probabilities' },
      }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('bss (sampled targets, constant boundary weight)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(4);
    const s = student(4);
    return {
      scheme: boundarySupportingDistillation({
        teacher: tinyTeacher(model),
        student: s,
        losses: kd(),
        optimizer: ADAM,
        boundarySamples: 8,
        boundaryDecayEnd: 0,
        inputRange: [-10, 10],
      }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('bss (official step, runner-up targets, decaying weight, unclamped)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(5);
    const s = student(5);
    return {
      scheme: boundarySupportingDistillation({ teacher: tinyTeacher(model), student: s, losses: kd(), optimizer: ADAM, stepRule: 'code', targetClass: 'runner-up', clampInputs: false }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, s].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('adversarial-online (teacher, student and discriminator together)', {
  steps: 40,
  create: () => {
    const s = student(6);
    const teacher = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [24, 24], seed: 60, name: 'online-teacher' });
    return {
      scheme: onlineAdversarialDistillation({ teacher, student: s, losses: kd(), optimizer: ADAM }),
      dataset: blobs(6),
      dispose: () => [teacher, s].forEach((m) => m.dispose()),
    };
  },
});
