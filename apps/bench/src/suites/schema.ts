import { z } from 'zod';
import { BACKEND_NAMES } from '@distillery/core';
import { spamAssassinDatasetFields, spamAssassinLmDatasetFields, textModelSchemas } from './text-schema.js';

/**
 * The shape of a suite file (JSON or YAML). Objects are strict, so a misspelt key is an error rather
 * than a silently ignored setting. Cross-references (model names, teacher ids, registry names, paper
 * sources) are checked afterwards in `resolve.ts`, where the registry is at hand.
 */

const positiveInt = z.number().int().positive();
const classId = z.number().int().min(0);

export const VIEWS = ['flattened', 'image', 'padded32'] as const;
/** How images reach a model: [784] vectors, [28, 28, 1] images, or [32, 32, 1] zero-padded images (LeNet-5). */
export const viewSchema = z.enum(VIEWS);

/** Which training samples a run sees; applied in this order: trainLimit, labelsPerClass, omit/only classes. */
const subsetFields = {
  /** keep the first N images of the official training order */
  trainLimit: positiveInt.optional(),
  /** keep N labelled images per class (seeded: the run's seed unless subsetSeed is given) */
  labelsPerClass: positiveInt.optional(),
  /** drop these classes from the training (transfer) set; the label space keeps every class */
  omitClasses: z.array(classId).min(1).optional(),
  /** keep only these classes in the training (transfer) set; the label space keeps every class */
  onlyClasses: z.array(classId).min(1).optional(),
  /** a fixed seed for labelsPerClass, shared by every run */
  subsetSeed: z.number().int().min(0).optional(),
  /**
   * text datasets with labelsPerClass: train on the whole training split, the texts beyond the labelled ones
   * as unlabelled transfer data (a KD row with alpha 1: no label is read)
   */
  unlabelledTransfer: z.boolean().optional(),
};

export const subsetSchema = z.strictObject(subsetFields);

export const datasetSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.enum(['mnist', 'fashion-mnist']),
    /** keep the first N test images (default: the whole test split) */
    testLimit: positiveInt.optional(),
    ...subsetFields,
  }),
  // text suites (see text-schema.ts): SpamAssassin classification and next-token windows
  z.strictObject({ ...spamAssassinDatasetFields, ...subsetFields }),
  z.strictObject({ ...spamAssassinLmDatasetFields, ...subsetFields }),
]);

export const augmentationSchema = z.strictObject({
  /** random translation by up to this many pixels in each direction (Hinton et al.: 2) */
  jitter: z.number().int().min(0).max(8),
});

const viewOverride = { view: viewSchema.optional() };

export const modelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mlp'),
    hidden: z.array(positiveInt),
    dropout: z.number().min(0).lt(1).optional(),
    inputDropout: z.number().min(0).lt(1).optional(),
    maxNorm: z.number().positive().optional(),
    ...viewOverride,
  }),
  z.strictObject({
    type: z.literal('lenet5'),
    variant: z.enum(['full', 'half-dafl', 'half-lopes']).default('full'),
    /** a batch norm after each convolution and hidden dense layer (lenet5Bn of @distillery/data-free): teachers whose statistics DeepInversion matches */
    batchNorm: z.boolean().optional(),
    ...viewOverride,
  }),
  z.strictObject({
    type: z.literal('plainCnn'),
    depth: z.union([z.literal(2), z.literal(4), z.literal(6), z.literal(8), z.literal(10)]),
    ...viewOverride,
  }),
  ...textModelSchemas,
]);

export const optimizerSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('adam'), learningRate: z.number().positive(), beta1: z.number().optional(), beta2: z.number().optional(), epsilon: z.number().optional() }),
  z.strictObject({ name: z.literal('sgd'), learningRate: z.number().positive() }),
  z.strictObject({ name: z.literal('momentum'), learningRate: z.number().positive(), momentum: z.number().min(0).lt(1), nesterov: z.boolean().optional() }),
  z.strictObject({ name: z.literal('rmsprop'), learningRate: z.number().positive(), decay: z.number().optional(), momentum: z.number().optional() }),
]);

const hyperParameterValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.number()), z.array(z.string())]);
export const hyperParametersSchema = z.record(z.string(), hyperParameterValue);

export const referenceSchema = z.strictObject({
  title: z.string().min(1),
  authors: z.string().min(1),
  year: z.number().int(),
  url: z.string().optional(),
});

/** A published number to print beside ours: exactly one of errors (of the test set), accuracy % or error %. */
export const paperFigureSchema = z
  .strictObject({
    /** key into the suite's `references` */
    source: z.string().min(1),
    errors: z.number().nonnegative().optional(),
    accuracy: z.number().min(0).max(100).optional(),
    errorRate: z.number().min(0).max(100).optional(),
    note: z.string().optional(),
  })
  .refine((f) => [f.errors, f.accuracy, f.errorRate].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of errors, accuracy or errorRate',
  });

/** Which random initialisation of a row's architecture (born-again generations start from fresh weights). */
const initField = z.number().int().min(0).max(9).optional();

const rowFields = {
  /** row name in the report; unique within its group */
  id: z.string().min(1),
  /** rows with the same group share a table (e.g. one label budget); default: one table */
  group: z.string().min(1).optional(),
  /** the training (transfer) set of this row, over the suite's dataset settings */
  data: subsetSchema.optional(),
  augmentation: augmentationSchema.optional(),
  epochs: positiveInt.optional(),
  paper: paperFigureSchema.optional(),
};


/**
 * A teacher a method row learns from: the id of a teacher row or of another method row (whose trained
 * student then teaches: TAKD assistants, born-again generations), optionally seen as a black box
 * (probabilities only, no features).
 */
export const teacherRefSchema = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    /** the scheme sees only the teacher's probabilities (logits = log p) and no features */
    blackBox: z.boolean().default(false),
  }),
]);

/**
 * An extra report row read from another evaluation model of the same run: a cohort peer, a BYOT head,
 * an ensemble. It costs no training: the run records every evaluation model's metrics.
 */
export const outputSchema = z.strictObject({
  /** the name in the scheme's evaluationModels(): peer1, head:hidden1, ensemble, ... */
  model: z.string().min(1),
  /** row name in the report; default "<row id> [<model>]" */
  id: z.string().min(1).optional(),
  paper: paperFigureSchema.optional(),
});

export const lossRefSchema = z.strictObject({
  /** registry name, e.g. "kd" */
  name: z.string().min(1),
  options: hyperParametersSchema.optional(),
  weight: z.number().nonnegative().default(1),
});

export const teacherRowSchema = z.strictObject({
  ...rowFields,
  /** key into `models` */
  model: z.string().min(1),
  /** 0 (default) or another initialisation of the same architecture */
  init: initField,
  /**
   * label losses the teacher trains on instead of cross-entropy on the labels (alpha 1). Language-model
   * teachers need `[{ name: lm-ce }]`: the label of an LM window is only the token after it.
   */
  losses: z.array(lossRefSchema).min(1).optional(),
});

export const classBiasSchema = z.strictObject({
  /** class id -> constant added to that logit at evaluation (Hinton et al.: { 3: 3.5 } or { 7: -7.6, 8: -7.6 }) */
  offsets: z.record(z.string().regex(/^\d+$/, 'class ids are non-negative integers'), z.number()),
  paper: paperFigureSchema.optional(),
});

/**
 * Seeded random inputs in place of the dataset's images (the random-noise KD baseline of DAFL / DFAD),
 * in the student's view, values in pixel units: MNIST's N(0.1307, 0.3081^2) is N(0, 1) after normalising.
 */
export const noiseSchema = z.strictObject({
  mean: z.number().default(0),
  std: z.number().nonnegative().default(1),
  /** 'uniform' has the same mean and std */
  distribution: z.enum(['normal', 'uniform']).default('normal'),
});

export const methodRowSchema = z.strictObject({
  ...rowFields,
  /** key into `models` */
  student: z.string().min(1),
  /** id of a teacher row (or of a method row); default: the group's only teacher when a loss needs one */
  teacher: teacherRefSchema.optional(),
  /** several teachers, in the order the scheme receives them (multi-teacher, born-again ensembles, ladders) */
  teachers: z.array(teacherRefSchema).min(1).optional(),
  /** more models trained in the same run beside `student` (a cohort): keys into `models`, same view as the student */
  peers: z.array(z.string().min(1)).min(1).max(8).optional(),
  /** 0 (default) or another initialisation of the student's architecture */
  init: initField,
  /** extra report rows, one per other evaluation model of the run (peers, heads, ensembles) */
  outputs: z.array(outputSchema).min(1).optional(),
  /** registry name of the scheme */
  scheme: z.string().min(1).default('offline'),
  schemeOptions: hyperParametersSchema.optional(),
  losses: z.array(lossRefSchema).default([]),
  /** share of the distillation losses, passed to the scheme as its `alpha` option */
  alpha: z.number().min(0).max(1).optional(),
  classBias: classBiasSchema.optional(),
  /** start the student from the trained student of this method row (same group, same model): TinyBERT's stage 2 */
  initFrom: z.string().min(1).optional(),
  /** this row's optimiser (the student's, and every model its scheme trains with it); default: the suite's */
  optimizer: optimizerSchema.optional(),
  /**
   * The trainer's steps per epoch when the row trains on no images of the dataset: required by schemes that
   * never read the training set (dafl, dfad, deep-inversion: each step synthesises batchSize inputs), and
   * with noise. The row's transfer set is then stepsPerEpoch x batchSize seeded samples.
   */
  stepsPerEpoch: positiveInt.optional(),
  /** train on seeded random noise instead of the dataset's images (needs stepsPerEpoch; no data settings) */
  noise: noiseSchema.optional(),
})
  .refine((row) => row.teacher === undefined || row.teachers === undefined, { message: 'give teacher or teachers, not both', path: ['teachers'] })
  .refine((row) => row.noise === undefined || row.stepsPerEpoch !== undefined, {
    message: 'noise needs stepsPerEpoch: the noise transfer set holds stepsPerEpoch x batchSize samples',
    path: ['stepsPerEpoch'],
  })
  .refine((row) => row.noise === undefined || row.data === undefined, { message: 'give noise or data, not both: a noise row reads no images', path: ['data'] });

export const suiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, ".", "_" and "-" (it names the output files)'),
  description: z.string().min(1),
  /** what was cut from the paper's setting to fit the machine, stated in the report */
  budget: z.string().optional(),
  references: z.record(z.string(), referenceSchema).default({}),
  dataset: datasetSchema,
  view: viewSchema.default('flattened'),
  augmentation: augmentationSchema.optional(),
  models: z.record(z.string(), modelSchema),
  /** rows trained on labels alone whose models teach method rows; none for teacher-free suites (self, mutual) */
  teachers: z.array(teacherRowSchema).default([]),
  methods: z.array(methodRowSchema).min(1),
  seeds: z.array(z.number().int().min(0)).min(1),
  epochs: z.strictObject({ teacher: positiveInt, student: positiveInt }),
  batchSize: positiveInt,
  /**
   * test-set evaluations per run at most (default 30): every ceil(epochs / evaluations)-th epoch and the
   * last. Fewer keep long schedules whose reference model (the teachers) is costly to evaluate affordable.
   */
  evaluations: positiveInt.optional(),
  optimizer: optimizerSchema,
  backend: z.enum(BACKEND_NAMES as readonly [string, ...string[]]).optional(),
  /** overrides deep-merged into the suite for `--quick` (rows merge by group + id) */
  quick: z.record(z.string(), z.unknown()).optional(),
});

export type View = z.infer<typeof viewSchema>;
export type SubsetSpec = z.infer<typeof subsetSchema>;
export type DatasetSpec = z.infer<typeof datasetSchema>;
export type AugmentationSpec = z.infer<typeof augmentationSchema>;
export type ModelSpec = z.infer<typeof modelSchema>;
export type OptimizerSpecInput = z.infer<typeof optimizerSchema>;
export type PaperFigure = z.infer<typeof paperFigureSchema>;
export type ReferenceSpec = z.infer<typeof referenceSchema>;
export type TeacherRow = z.infer<typeof teacherRowSchema>;
export type MethodRow = z.infer<typeof methodRowSchema>;
export type LossRef = z.infer<typeof lossRefSchema>;
export type NoiseSpec = z.infer<typeof noiseSchema>;
export type TeacherRef = z.infer<typeof teacherRefSchema>;
export type OutputSpec = z.infer<typeof outputSchema>;
export type SuiteSpec = z.infer<typeof suiteSchema>;
