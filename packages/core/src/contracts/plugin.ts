import type { KnowledgeLoss, WeightedLoss } from './loss.js';
import type { Student, Teacher } from './models.js';
import type { Scheme } from './scheme.js';
import type { OptimizerSpec } from '../training/optimizers.js';

export interface PaperReference {
  readonly title: string;
  readonly authors: string;
  readonly year: number;
  readonly url?: string;
}

/** JSON-safe hyper-parameters: what a suite file or a job on a queue can carry. */
export type HyperParameterValue = number | string | boolean | readonly number[] | readonly string[];
export type HyperParameters = Readonly<Record<string, HyperParameterValue>>;

export type KnowledgeType = 'response' | 'feature' | 'relation' | 'none';

export interface LossDefinition<Options extends HyperParameters = HyperParameters> {
  readonly kind: 'loss';
  readonly name: string;
  readonly summary: string;
  readonly knowledge: KnowledgeType;
  readonly reference: PaperReference;
  readonly defaults: Options;
  create(options: Partial<Options>): KnowledgeLoss;
}

/** What a scheme is built from; which fields a scheme uses is its own business, and it validates them. */
export interface SchemeInputs {
  readonly teachers: readonly Teacher[];
  readonly students: readonly Student[];
  /** builds a fresh model of the student's architecture (born-again generations, cohorts) */
  readonly createStudent?: (seed: number) => Student;
  readonly losses: readonly WeightedLoss[];
  readonly optimizer: OptimizerSpec;
}

export interface SchemeDefinition<Options extends HyperParameters = HyperParameters> {
  readonly kind: 'scheme';
  readonly name: string;
  readonly summary: string;
  readonly reference: PaperReference;
  readonly defaults: Options;
  create(inputs: SchemeInputs, options: Partial<Options>): Scheme;
}

/** A package's default export: a plain object naming its methods, like a Vite or Rollup plugin. */
export interface DistilleryPlugin {
  readonly name: string;
  readonly losses?: readonly LossDefinition[];
  readonly schemes?: readonly SchemeDefinition[];
}
