import { ConfigError, type DistilleryPlugin, type SchemeDefinition, type SchemeInputs } from '@distillery/core';
import { ADVERSARIAL_DEFAULTS, type AdversarialOptions } from './adversarial-game.js';
import { adversarialDistillation } from './adversarial-kd-scheme.js';
import { BSS_DEFAULTS, boundarySupportingDistillation } from './boundary/bss-scheme.js';
import type { BoundaryStepRule } from './boundary/generate.js';
import type { TargetClassRule } from './boundary/selection.js';
import type { DiscriminatorResponse } from './discriminator-input.js';
import type { GanLoss } from './gan-losses.js';
import { ONLINE_DEFAULTS, onlineAdversarialDistillation } from './online-scheme.js';
import { chung2020, heo2019, wang2018 } from './references.js';

/** The discriminator options of a suite file: JSON-safe, flat ('' = no feature tap). */
type DiscriminatorDefaults = {
  ganLoss: GanLoss;
  adversarialWeight: number;
  discriminatorResponse: DiscriminatorResponse;
  discriminatorTemperature: number;
  studentFeature: string;
  teacherFeature: string;
  conditionOnLabels: boolean;
  discriminatorHidden: readonly number[];
  discriminatorLearningRate: number;
  discriminatorBeta1: number;
  discriminatorSteps: number;
};

const DISCRIMINATOR_DEFAULTS: DiscriminatorDefaults = {
  ganLoss: ADVERSARIAL_DEFAULTS.ganLoss,
  adversarialWeight: ADVERSARIAL_DEFAULTS.adversarialWeight,
  discriminatorResponse: 'logits',
  discriminatorTemperature: 1,
  studentFeature: '',
  teacherFeature: '',
  conditionOnLabels: false,
  discriminatorHidden: ADVERSARIAL_DEFAULTS.discriminatorHidden,
  discriminatorLearningRate: ADVERSARIAL_DEFAULTS.discriminatorOptimizer.learningRate,
  discriminatorBeta1: ADVERSARIAL_DEFAULTS.discriminatorOptimizer.beta1,
  discriminatorSteps: ADVERSARIAL_DEFAULTS.discriminatorSteps,
};

function adversarialOptions(s: DiscriminatorDefaults): AdversarialOptions {
  return {
    ganLoss: s.ganLoss,
    adversarialWeight: s.adversarialWeight,
    discriminatorInput: {
      response: s.discriminatorResponse,
      temperature: s.discriminatorTemperature,
      studentFeature: s.studentFeature,
      teacherFeature: s.teacherFeature,
      conditionOnLabels: s.conditionOnLabels,
    },
    discriminatorHidden: s.discriminatorHidden,
    discriminatorOptimizer: { name: 'adam', learningRate: s.discriminatorLearningRate, beta1: s.discriminatorBeta1 },
    discriminatorSteps: s.discriminatorSteps,
  };
}

function oneStudent(scheme: string, inputs: SchemeInputs) {
  const student = inputs.students[0];
  if (!student || inputs.students.length !== 1) throw new ConfigError(`${scheme} trains exactly one student, got ${inputs.students.length}`, 'pass students: [model]');
  return student;
}

function oneTeacher(scheme: string, inputs: SchemeInputs) {
  const teacher = inputs.teachers[0];
  if (!teacher || inputs.teachers.length !== 1) throw new ConfigError(`${scheme} takes exactly one frozen teacher, got ${inputs.teachers.length}`, 'pass teachers: [pretrainedTeacher]');
  return teacher;
}

type AdversarialKdDefaults = DiscriminatorDefaults & { alpha: number; cacheTeacherOutputs: boolean };

export const adversarialKdDefinition: SchemeDefinition<AdversarialKdDefaults> = {
  kind: 'scheme',
  name: 'adversarial-kd',
  summary: 'Frozen teacher -> student with KD plus a discriminator (teacher vs student outputs) the student learns to fool; D then S each step',
  reference: wang2018,
  defaults: { ...DISCRIMINATOR_DEFAULTS, alpha: 0.9, cacheTeacherOutputs: true },
  create(inputs, options) {
    const settings = { ...adversarialKdDefinition.defaults, ...options };
    return adversarialDistillation({
      ...adversarialOptions(settings),
      teacher: oneTeacher('adversarial-kd', inputs),
      student: oneStudent('adversarial-kd', inputs),
      losses: inputs.losses,
      alpha: inputs.losses.length > 0 ? settings.alpha : 0,
      optimizer: inputs.optimizer,
      cacheTeacherOutputs: settings.cacheTeacherOutputs,
    });
  },
};

type BssDefaults = {
  alpha: number;
  boundaryWeight: number;
  boundaryDecayEnd: number;
  boundaryTemperature: number;
  boundarySamples: number;
  targetClass: TargetClassRule;
  attackSteps: number;
  attackStepSize: number;
  stepRule: BoundaryStepRule;
  inputRange: readonly number[];
  clampInputs: boolean;
};

export const bssDefinition: SchemeDefinition<BssDefaults> = {
  kind: 'scheme',
  name: 'bss',
  summary: 'KD plus KD on adversarial samples moved toward the teacher\'s decision boundary (boundary-supporting samples)',
  reference: heo2019,
  defaults: { ...BSS_DEFAULTS, alpha: 0.9 },
  create(inputs, options) {
    const settings = { ...bssDefinition.defaults, ...options };
    return boundarySupportingDistillation({
      ...settings,
      teacher: oneTeacher('bss', inputs),
      student: oneStudent('bss', inputs),
      losses: inputs.losses,
      alpha: inputs.losses.length > 0 ? settings.alpha : 0,
      optimizer: inputs.optimizer,
    });
  },
};

type OnlineDefaults = DiscriminatorDefaults & { alpha: number; teacherMimicryWeight: number; mimicryTemperature: number };

export const adversarialOnlineDefinition: SchemeDefinition<OnlineDefaults> = {
  kind: 'scheme',
  name: 'adversarial-online',
  summary: 'Teacher, student and discriminator trained together each iteration (D, then student, then teacher)',
  reference: chung2020,
  defaults: { ...DISCRIMINATOR_DEFAULTS, ...ONLINE_DEFAULTS, alpha: 0.9 },
  create(inputs, options) {
    const settings = { ...adversarialOnlineDefinition.defaults, ...options };
    if (inputs.teachers.length > 0) {
      throw new ConfigError('adversarial-online trains its teacher, so it takes no frozen teacher', 'pass students: [student, teacher] (the teacher second)');
    }
    const [student, teacher] = inputs.students;
    if (!student || !teacher || inputs.students.length !== 2) {
      throw new ConfigError(`adversarial-online trains exactly two models, got ${inputs.students.length}`, 'pass students: [student, teacher] (the teacher second)');
    }
    return onlineAdversarialDistillation({
      ...adversarialOptions(settings),
      teacher,
      student,
      losses: inputs.losses,
      alpha: inputs.losses.length > 0 ? settings.alpha : 0,
      optimizer: inputs.optimizer,
      teacherMimicryWeight: settings.teacherMimicryWeight,
      mimicryTemperature: settings.mimicryTemperature,
    });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/adversarial',
  schemes: [adversarialKdDefinition, bssDefinition, adversarialOnlineDefinition] as unknown as SchemeDefinition[],
};
