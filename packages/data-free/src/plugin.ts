import { ConfigError, type DistilleryPlugin, type SchemeDefinition, type SchemeInputs, type Student, type Teacher } from '@distillery/core';
import { denseGenerator } from './generator/dense-generator.js';
import type { Generator } from './generator/generator.js';
import { imageGenerator, type ImageGeneratorPreset } from './generator/image-generator.js';
import { chen2019, fang2019, nguyen2022, yin2020 } from './references.js';
import { DAFL_DEFAULTS, dafl } from './schemes/dafl-scheme.js';
import { DEEP_INVERSION_DEFAULTS, deepInversion, type InversionSynthesis, type InversionTargets } from './schemes/deep-inversion-scheme.js';
import { DFAD_DEFAULTS, adversarialDataFree } from './schemes/dfad-scheme.js';
import type { Discrepancy } from './losses/discrepancy.js';
import { FEW_SHOT_DEFAULTS, fewShotMixup } from './schemes/few-shot-scheme.js';

/** Generator settings a suite file can carry (a type alias, so it satisfies core's JSON-safe HyperParameters). */
type GeneratorSettings = {
  latentDim: number;
  /** channels of the image generator's first convolutions (DAFL: 128); hidden width of the dense one */
  generatorWidth: number;
  /** the teacher's input space: x = outputMean + outputStd * standardised output */
  outputMean: number;
  outputStd: number;
};

const GENERATOR_DEFAULTS: GeneratorSettings = { latentDim: 100, generatorWidth: 128, outputMean: 0, outputStd: 1 };

/**
 * A generator factory for the teacher's inputs: DAFL's convolutional generator for images whose sides
 * divide by 4, the dense variant otherwise. Called with the run's seed in prepare().
 */
export function generatorFor(teacher: Teacher, settings: GeneratorSettings, preset: ImageGeneratorPreset): (seed: number) => Generator {
  const shape = teacher.inputShape;
  const scale = { mean: settings.outputMean, std: settings.outputStd };
  const image = shape.length === 3 && (shape[0] as number) % 4 === 0 && (shape[1] as number) % 4 === 0;
  return (seed) =>
    image
      ? imageGenerator({ outputShape: shape, latentDim: settings.latentDim, width: settings.generatorWidth, preset, seed, scale })
      : denseGenerator({ outputShape: shape, latentDim: settings.latentDim, hidden: [settings.generatorWidth], seed, scale });
}

/** The one teacher and one student a data-free scheme takes; it builds its own objective, so no losses. */
function pairOf(scheme: string, inputs: SchemeInputs): { teacher: Teacher; student: Student } {
  const teacher = inputs.teachers[0];
  const student = inputs.students[0];
  if (!teacher || inputs.teachers.length !== 1) throw new ConfigError(`${scheme} takes exactly one teacher, got ${inputs.teachers.length}`, 'pass teachers: [teacher]');
  if (!student || inputs.students.length !== 1) throw new ConfigError(`${scheme} takes exactly one student, got ${inputs.students.length}`, 'pass students: [student]');
  if (inputs.losses.length > 0) throw new ConfigError(`${scheme} builds its own objective and takes no losses`, 'remove the losses; tune the scheme through its options');
  return { teacher, student };
}

type DaflDefaults = GeneratorSettings & {
  activationFeature: string;
  oneHotWeight: number;
  activationWeight: number;
  entropyWeight: number;
  temperature: number;
  generatorLearningRate: number;
};

export const daflDefinition: SchemeDefinition<DaflDefaults> = {
  kind: 'scheme',
  name: 'dafl',
  summary: 'DAFL: a generator makes samples the teacher classifies confidently, strongly and evenly; the student distils on them',
  reference: chen2019,
  defaults: { ...DAFL_DEFAULTS, ...GENERATOR_DEFAULTS },
  create(inputs, options) {
    const s = { ...daflDefinition.defaults, ...options };
    const { teacher, student } = pairOf('dafl', inputs);
    return dafl({
      teacher,
      student,
      generator: generatorFor(teacher, s, 'dafl'),
      optimizer: inputs.optimizer,
      generatorOptimizer: { name: 'adam', learningRate: s.generatorLearningRate },
      activationFeature: s.activationFeature,
      oneHotWeight: s.oneHotWeight,
      activationWeight: s.activationWeight,
      entropyWeight: s.entropyWeight,
      temperature: s.temperature,
    });
  },
};

type DfadDefaults = GeneratorSettings & { studentSteps: number; discrepancy: Discrepancy; generatorLearningRate: number };

export const dfadDefinition: SchemeDefinition<DfadDefaults> = {
  kind: 'scheme',
  name: 'dfad',
  summary: 'Adversarial data-free KD: a generator seeks samples where student and teacher disagree (L1 on logits), the student closes the gap',
  reference: fang2019,
  defaults: { ...DFAD_DEFAULTS, ...GENERATOR_DEFAULTS },
  create(inputs, options) {
    const s = { ...dfadDefinition.defaults, ...options };
    const { teacher, student } = pairOf('dfad', inputs);
    return adversarialDataFree({
      teacher,
      student,
      generator: generatorFor(teacher, s, 'dfad'),
      optimizer: inputs.optimizer,
      generatorOptimizer: { name: 'adam', learningRate: s.generatorLearningRate },
      studentSteps: s.studentSteps,
      discrepancy: s.discrepancy,
    });
  },
};

type DeepInversionDefaults = GeneratorSettings & {
  synthesis: InversionSynthesis;
  inversionSteps: number;
  inversionLearningRate: number;
  classificationWeight: number;
  batchNormWeight: number;
  firstBatchNormScale: number;
  tvL2Weight: number;
  tvL1Weight: number;
  l2Weight: number;
  jitter: number;
  targets: InversionTargets;
  initialMean: number;
  initialStd: number;
  temperature: number;
  generatorLearningRate: number;
};

export const deepInversionDefinition: SchemeDefinition<DeepInversionDefaults> = {
  kind: 'scheme',
  name: 'deep-inversion',
  summary: "DeepInversion: synthesise inputs matching the teacher's batch-norm statistics under image priors; the student distils on them",
  reference: yin2020,
  defaults: { ...DEEP_INVERSION_DEFAULTS, ...GENERATOR_DEFAULTS },
  create(inputs, options) {
    const s = { ...deepInversionDefinition.defaults, ...options };
    const { teacher, student } = pairOf('deep-inversion', inputs);
    const { latentDim: _l, generatorWidth: _w, outputMean: _m, outputStd: _s, generatorLearningRate, ...rest } = s;
    return deepInversion({
      ...rest,
      teacher,
      student,
      optimizer: inputs.optimizer,
      ...(s.synthesis === 'generator'
        ? { generator: generatorFor(teacher, s, 'dfad'), generatorOptimizer: { name: 'adam', learningRate: generatorLearningRate } }
        : {}),
    });
  },
};

type FewShotDefaults = { mixupAlpha: number; syntheticSize: number; iterationsPerStep: number; temperature: number; syntheticBatchSize: number };

export const fewShotMixupDefinition: SchemeDefinition<FewShotDefaults> = {
  kind: 'scheme',
  name: 'few-shot-mixup',
  summary: "Black-box few-shot KD: the training set's few unlabelled images are expanded by mixup and labelled by the teacher's probabilities",
  reference: nguyen2022,
  defaults: { ...FEW_SHOT_DEFAULTS, syntheticBatchSize: 0 },
  create(inputs, options) {
    const s = { ...fewShotMixupDefinition.defaults, ...options };
    const { teacher, student } = pairOf('few-shot-mixup', inputs);
    const { syntheticBatchSize, ...rest } = s;
    return fewShotMixup({ ...rest, ...(syntheticBatchSize > 0 ? { syntheticBatchSize } : {}), teacher, student, optimizer: inputs.optimizer });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/data-free',
  schemes: [daflDefinition, dfadDefinition, deepInversionDefinition, fewShotMixupDefinition] as unknown as SchemeDefinition[],
};
