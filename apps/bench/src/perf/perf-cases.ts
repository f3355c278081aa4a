import type { TrainableModel } from '@distillery/core';
import { lenet5, mlp } from '@distillery/models';

/** One measured pair: the step of environment.md's reference comparison, for an MLP and a conv net. */
export interface PerfPair {
  readonly id: 'mlp' | 'cnn';
  readonly title: string;
  readonly inputShape: readonly number[];
  readonly teacher: () => TrainableModel;
  readonly student: () => TrainableModel;
  /** multiply-accumulates of one sample's forward pass, for the GFLOP/s column */
  readonly teacherMacs: number;
  readonly studentMacs: number;
}

const denseMacs = (sizes: readonly number[]): number => sizes.slice(1).reduce((sum, out, i) => sum + sizes[i]! * out, 0);

// LeNet-5 on 32x32x1: conv 5x5 (28x28 outputs), pool, conv 5x5 (10x10 outputs), pool, dense layers.
const lenetMacs = (c1: number, c2: number, f1: number, f2: number): number =>
  28 * 28 * 25 * 1 * c1 + 10 * 10 * 25 * c1 * c2 + 5 * 5 * c2 * f1 + f1 * f2 + f2 * 10;

export const PERF_PAIRS: readonly PerfPair[] = [
  {
    id: 'mlp',
    title: 'MLP 784-1200-1200-10 -> 784-800-800-10',
    inputShape: [784],
    teacher: () => mlp({ name: 'teacher', inputShape: [784], hidden: [1200, 1200], numClasses: 10, seed: 1 }),
    student: () => mlp({ name: 'student', inputShape: [784], hidden: [800, 800], numClasses: 10, seed: 2 }),
    teacherMacs: denseMacs([784, 1200, 1200, 10]),
    studentMacs: denseMacs([784, 800, 800, 10]),
  },
  {
    id: 'cnn',
    title: 'LeNet-5 -> LeNet-5-half (32x32x1)',
    inputShape: [32, 32, 1],
    teacher: () => lenet5({ name: 'teacher', numClasses: 10, seed: 1 }),
    student: () => lenet5({ name: 'student', numClasses: 10, seed: 2, variant: 'half-lopes' }),
    teacherMacs: lenetMacs(6, 16, 120, 84),
    studentMacs: lenetMacs(3, 8, 120, 84),
  },
];

export type StepKind = 'kd' | 'kd-cached' | 'student';

/** FLOPs of one training sample: teacher forward (unless cached) + student forward and backward (~3x forward). */
export function flopsPerSample(pair: PerfPair, kind: StepKind): number {
  const teacher = kind === 'kd' ? 2 * pair.teacherMacs : 0;
  return teacher + 3 * 2 * pair.studentMacs;
}
