/**
 * A small data-free suite for tests (tiny MLPs on 784-vectors, so the cpu backend runs it in seconds): a DAFL row (a clock of
 * stepsPerEpoch batches), a random-noise KD row, a few-shot row with a black-box teacher, and an
 * adversarial-KD row beside the vanilla rows every group needs.
 */
export function dataFreeSuiteYaml(options: { readonly trainLimit?: number; readonly testLimit?: number } = {}): string {
  return `
name: data-free-tiny
description: data-free and adversarial rows for tests
references:
  dafl: { title: "DAFL: Data-Free Learning of Student Networks", authors: Hanting Chen, year: 2019 }
dataset: { name: mnist, trainLimit: ${options.trainLimit ?? 300}, testLimit: ${options.testLimit ?? 100} }
view: flattened
models:
  teacher: { type: mlp, hidden: [32] }
  student: { type: mlp, hidden: [8] }
teachers:
  - { id: teacher, model: teacher }
methods:
  - { id: student alone, student: student }
  - { id: KD, student: student, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
  - id: DAFL
    student: student
    teacher: teacher
    scheme: dafl
    schemeOptions: { generatorWidth: 16, outputMean: 0.1307, outputStd: 0.3081, activationFeature: hidden1 }
    optimizer: { name: adam, learningRate: 0.002 }
    stepsPerEpoch: 2
    paper: { source: dafl, accuracy: 98.2 }
  - id: noise KD
    student: student
    teacher: teacher
    losses: [{ name: kd }]
    alpha: 1
    noise: { mean: 0.1307, std: 0.3081 }
    stepsPerEpoch: 2
  - id: few-shot
    student: student
    teacher: { id: teacher, blackBox: true }
    scheme: few-shot-mixup
    data: { trainLimit: 40 }
  - id: adversarial KD
    student: student
    teacher: teacher
    scheme: adversarial-kd
    losses: [{ name: kd, options: { temperature: 4 } }]
    alpha: 0.9
seeds: [1]
epochs: { teacher: 1, student: 1 }
batchSize: 32
optimizer: { name: adam, learningRate: 0.001 }
`;
}
