/**
 * One row of each new family, small enough for tests (a few hundred MNIST images, 1-2 epochs, tiny
 * MLPs): a DML cohort with its second peer as an output row, BYOT with its heads, a born-again
 * generation learning from a method row, a TAKD chain through an assistant row, and a multi-teacher
 * row with a black-box teacher.
 */
export function familiesSuiteYaml(options: { readonly seeds?: readonly number[]; readonly trainLimit?: number } = {}): string {
  return `
name: families
description: one row per family
dataset: { name: mnist, trainLimit: ${options.trainLimit ?? 300}, testLimit: 120 }
models:
  big: { type: mlp, hidden: [32] }
  other: { type: mlp, hidden: [24, 12] }
  mid: { type: mlp, hidden: [16] }
  small: { type: mlp, hidden: [8] }
  backbone: { type: mlp, hidden: [16, 12, 8] }
teachers:
  - { id: teacher, model: big }
  - { id: second teacher, model: other }
methods:
  - { id: alone, student: small }
  - { id: KD, student: small, teacher: teacher, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
  - id: DML
    student: small
    peers: [mid]
    scheme: dml
    outputs: [{ model: peer1, id: DML peer 16 }]
  - id: BYOT
    student: backbone
    scheme: byot
    schemeOptions: { taps: [hidden1, hidden2], deepestFeature: hidden3 }
    outputs: [{ model: "head:hidden1" }, { model: ensemble, id: BYOT ensemble }]
  - { id: plain, student: backbone }
  - { id: generation 1, student: backbone, init: 1, scheme: born-again, teacher: plain }
  - { id: assistant, student: mid, teacher: teacher, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
  - { id: TAKD, student: small, teacher: assistant, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
  - id: multi
    student: small
    teachers: [teacher, { id: second teacher, blackBox: true }]
    scheme: multi-teacher
    schemeOptions: { aggregation: ca-mkd, temperature: 4 }
  - id: BD-KD online
    student: small
    peers: [mid]
    scheme: bdkd-online
    outputs: [{ model: teacher, id: BD-KD online teacher }]
seeds: [${(options.seeds ?? [3]).join(', ')}]
epochs: { teacher: 1, student: 2 }
batchSize: 50
optimizer: { name: adam, learningRate: 0.003 }
`;
}
