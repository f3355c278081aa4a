import type { BackendName } from '@distillery/core';

/** A model in a suite: an MLP over flattened 28x28 images. */
export interface MlpSpec {
  readonly hidden: readonly number[];
  readonly dropout?: number;
  readonly inputDropout?: number;
  readonly maxNorm?: number;
}

/** One method of a suite: how the model is trained, and from whom. */
export interface MethodSpec {
  /** row name in the report */
  readonly id: string;
  readonly role: 'teacher' | 'student-alone' | 'distilled';
  readonly model: 'teacher' | 'student';
  /** registry name of a loss, for distilled students */
  readonly loss?: string;
  readonly lossOptions?: Readonly<Record<string, number | string | boolean>>;
  readonly alpha?: number;
}

export interface SuiteSpec {
  readonly name: string;
  readonly description: string;
  readonly dataset: { readonly name: 'mnist'; readonly trainLimit?: number; readonly testLimit?: number };
  readonly teacher: MlpSpec;
  readonly student: MlpSpec;
  readonly methods: readonly MethodSpec[];
  readonly seeds: readonly number[];
  readonly epochs: { readonly teacher: number; readonly student: number };
  readonly batchSize: number;
  readonly learningRate: number;
  readonly backend?: BackendName;
}
