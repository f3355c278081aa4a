/** A suite small enough for tests: 1,200 MNIST images, 1 epoch, tiny MLPs. */
export function tinySuiteYaml(options: { readonly name?: string; readonly seeds?: readonly number[] } = {}): string {
  return `
name: ${options.name ?? 'tiny'}
description: tiny suite for tests
references:
  hinton2015: { title: Distilling the Knowledge in a Neural Network, authors: Geoffrey Hinton, year: 2015 }
dataset: { name: mnist, trainLimit: 1200, testLimit: 400 }
models:
  teacher: { type: mlp, hidden: [48] }
  student: { type: mlp, hidden: [16] }
teachers:
  - { id: teacher, model: teacher, paper: { source: hinton2015, errors: 67 } }
methods:
  - { id: student alone, student: student }
  - { id: KD, student: student, losses: [{ name: kd, options: { temperature: 4 } }], alpha: 0.9 }
seeds: [${(options.seeds ?? [1, 2, 3, 4]).join(', ')}]
epochs: { teacher: 1, student: 1 }
batchSize: 64
optimizer: { name: adam, learningRate: 0.001 }
quick:
  seeds: [1]
`;
}
