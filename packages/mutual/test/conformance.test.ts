import { mlp } from '@distillery/models';
import { describeSchemeConformance, tinyDenseModel, tinyTeacher } from '@distillery/testkit';
import { bdkdOnline, deepMutualLearning, ensembleOnline, offlineOnline } from '../src/index.js';
import { ADAM, blobs, trainedTeacherModel, twoPeers } from './fixtures.js';

describeSchemeConformance('dml (sequential, two peers of different architectures)', {
  steps: 40,
  create: () => {
    const peers = twoPeers(1);
    return { scheme: deepMutualLearning({ peers, optimizer: ADAM }), dataset: blobs(1), dispose: () => peers.forEach((p) => p.dispose()) };
  },
});

describeSchemeConformance('dml (simultaneous, three peers, T = 2)', {
  steps: 40,
  create: () => {
    const peers = [...twoPeers(2), tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [5], seed: 9, name: 'peer-c' })];
    return {
      scheme: deepMutualLearning({ peers, optimizer: ADAM, temperature: 2, updateOrder: 'simultaneous' }),
      dataset: blobs(2),
      dispose: () => peers.forEach((p) => p.dispose()),
    };
  },
});

describeSchemeConformance('ensemble-online (three peers)', {
  steps: 40,
  create: () => {
    const peers = [...twoPeers(3), tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [6], seed: 11, name: 'peer-c' })];
    return { scheme: ensembleOnline({ peers, optimizer: ADAM }), dataset: blobs(3), dispose: () => peers.forEach((p) => p.dispose()) };
  },
});

describeSchemeConformance('bdkd-online', {
  steps: 40,
  create: () => {
    const student = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [4], seed: 4, name: 'student' });
    const teacher = tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [24, 24], seed: 5, name: 'online-teacher' });
    return {
      scheme: bdkdOnline({ student, teacher, optimizer: ADAM }),
      dataset: blobs(4),
      dispose: () => [student, teacher].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('offline-online (frozen teacher + peer)', {
  steps: 40,
  create: () => {
    const { model, dataset } = trainedTeacherModel(5);
    const [student, peer] = twoPeers(6);
    return {
      scheme: offlineOnline({ teacher: tinyTeacher(model), student, peer, optimizer: ADAM }),
      frozen: model.trainableVariables(),
      dataset,
      dispose: () => [model, student, peer].forEach((m) => m.dispose()),
    };
  },
});

describeSchemeConformance('dml with tf.layers MLPs (dropout) and training-mode targets', {
  steps: 30,
  create: () => {
    const peers = [
      mlp({ inputSize: 4, hidden: [8], numClasses: 3, dropout: 0.1, seed: 21, name: 'mlp-a' }),
      mlp({ inputSize: 4, hidden: [6, 6], numClasses: 3, dropout: 0.1, maxNorm: 3, seed: 22, name: 'mlp-b' }),
    ];
    return {
      scheme: deepMutualLearning({ peers, optimizer: ADAM, targetMode: 'training' }),
      dataset: blobs(21),
      dispose: () => peers.forEach((p) => p.dispose()),
    };
  },
});
