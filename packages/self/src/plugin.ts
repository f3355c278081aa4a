import { ConfigError, type DistilleryPlugin, type SchemeDefinition, type SchemeInputs, type Student } from '@distillery/core';
import { TF_KD_VIRTUAL_DEFAULTS, type VirtualTeacherSoftening } from '@distillery/losses';
import { BORN_AGAIN_DEFAULTS, bornAgainGeneration, type BornAgainTeacher } from './born-again/generation-scheme.js';
import { beYourOwnTeacher } from './byot/byot-scheme.js';
import { BYOT_DEFAULTS } from './byot/options.js';
import { SELF_PAST_DEFAULTS, selfPast } from './past/self-past-scheme.js';
import { TF_VIRTUAL_DEFAULTS, tfVirtual } from './past/tf-virtual-scheme.js';
import { furlanello2018, kim2021, yuan2020, zhang2019 } from './references.js';

function onlyStudent(scheme: string, inputs: SchemeInputs): Student {
  const [student] = inputs.students;
  if (!student || inputs.students.length !== 1) {
    throw new ConfigError(`${scheme} trains one model, got ${inputs.students.length}`, 'pass students: [model]');
  }
  return student;
}

function noTeachers(scheme: string, inputs: SchemeInputs): void {
  if (inputs.teachers.length > 0) throw new ConfigError(`${scheme} is teacher-free but ${inputs.teachers.length} teacher(s) were given`, 'drop the teachers, or use the offline scheme');
}

type ByotDefaults = { taps: readonly string[]; deepestFeature: string; temperature: number; alpha: number; featureWeight: number; seed: number };

export const byotDefinition: SchemeDefinition<ByotDefaults> = {
  kind: 'scheme',
  name: 'byot',
  summary: 'Be Your Own Teacher: auxiliary heads at shallow taps learn from labels, the deepest head (KD) and its features (hints)',
  reference: zhang2019,
  // taps [] and deepestFeature '' mean: every tap but the last carries a head; the last is the deepest feature
  defaults: { taps: [], deepestFeature: '', ...BYOT_DEFAULTS },
  create(inputs, options) {
    noTeachers('byot', inputs);
    const model = onlyStudent('byot', inputs);
    const { taps, deepestFeature, ...rest } = { ...byotDefinition.defaults, ...options };
    const deepest = deepestFeature || model.featureNames[model.featureNames.length - 1];
    const heads = taps.length > 0 ? taps : model.featureNames.filter((name) => name !== deepest);
    return beYourOwnTeacher({ ...rest, model, taps: heads, ...(deepest ? { deepestFeature: deepest } : {}), optimizer: inputs.optimizer });
  },
};

type BornAgainDefaults = { temperature: number; alpha: number; teacher: BornAgainTeacher; cacheTeacherOutputs: boolean };

export const bornAgainDefinition: SchemeDefinition<BornAgainDefaults> = {
  kind: 'scheme',
  name: 'born-again',
  summary: 'One born-again generation: a fresh model of the same architecture distilled from the previous generation(s); runBornAgain chains them',
  reference: furlanello2018,
  defaults: { ...BORN_AGAIN_DEFAULTS },
  create(inputs, options) {
    return bornAgainGeneration({ ...bornAgainDefinition.defaults, ...options, previous: inputs.teachers, student: onlyStudent('born-again', inputs), optimizer: inputs.optimizer });
  },
};

type SelfPastDefaults = { finalAlpha: number };

export const selfPastDefinition: SchemeDefinition<SelfPastDefaults> = {
  kind: 'scheme',
  name: 'self-past',
  summary: "PS-KD: targets mix the label with the model's own prediction from the previous epoch, the mix growing linearly",
  reference: kim2021,
  defaults: { ...SELF_PAST_DEFAULTS },
  create(inputs, options) {
    noTeachers('self-past', inputs);
    return selfPast({ ...selfPastDefinition.defaults, ...options, model: onlyStudent('self-past', inputs), optimizer: inputs.optimizer });
  },
};

type TfVirtualDefaults = { alpha: number; correctProbability: number; temperature: number; softening: VirtualTeacherSoftening; scaleByT2: boolean };

export const tfVirtualDefinition: SchemeDefinition<TfVirtualDefaults> = {
  kind: 'scheme',
  name: 'tf-virtual',
  summary: 'Teacher-free KD: (1 - alpha) CE + alpha KL from a virtual teacher (probability a on the label, the rest uniform)',
  reference: yuan2020,
  defaults: { ...TF_VIRTUAL_DEFAULTS, ...TF_KD_VIRTUAL_DEFAULTS },
  create(inputs, options) {
    noTeachers('tf-virtual', inputs);
    return tfVirtual({ ...tfVirtualDefinition.defaults, ...options, model: onlyStudent('tf-virtual', inputs), optimizer: inputs.optimizer });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/self',
  schemes: [byotDefinition, bornAgainDefinition, selfPastDefinition, tfVirtualDefinition] as unknown as SchemeDefinition[],
};
