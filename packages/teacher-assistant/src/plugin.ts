import { ConfigError, type DistilleryPlugin, type SchemeDefinition } from '@distillery/core';
import { curriculumExperts } from './curriculum/curriculum-scheme.js';
import type { DifficultyMeasure } from './curriculum/difficulty.js';

/** JSON-safe options of the registry entry (a type alias so it satisfies core's HyperParameters). */
export type CurriculumExpertsSchemeOptions = {
  readonly difficulty: DifficultyMeasure;
  readonly rampUntil: number;
  readonly temperature: number;
  readonly alpha: number;
  readonly cacheTeacherOutputs: boolean;
};

export const CURRICULUM_EXPERTS_DEFAULTS: CurriculumExpertsSchemeOptions = {
  difficulty: 'loss',
  rampUntil: 1,
  temperature: 4,
  alpha: 0.9,
  cacheTeacherOutputs: true,
};

export const curriculumExpertsDefinition: SchemeDefinition<CurriculumExpertsSchemeOptions> = {
  kind: 'scheme',
  name: 'curriculum-experts',
  summary: 'A ladder of teachers (small -> large); each sample learns from the teacher matching its difficulty, moving to the largest as training proceeds',
  reference: { title: 'CES-KD: Curriculum-based Expert Selection for Guided Knowledge Distillation', authors: 'Amara, Ziaeefard, Meyer, Gross, Clark', year: 2022, url: 'https://arxiv.org/abs/2209.07606' },
  defaults: CURRICULUM_EXPERTS_DEFAULTS,
  create(inputs, options) {
    const student = inputs.students[0];
    if (!student) throw new ConfigError('the curriculum-experts scheme needs one student', 'pass students: [model]');
    if (inputs.losses.length > 0) throw new ConfigError('the curriculum-experts scheme builds its own KD loss', 'configure it through its options (temperature, alpha)');
    const settings = { ...CURRICULUM_EXPERTS_DEFAULTS, ...options };
    return curriculumExperts({ teachers: inputs.teachers, student, optimizer: inputs.optimizer, ...settings });
  },
};

export const plugin: DistilleryPlugin = {
  name: '@distillery/teacher-assistant',
  schemes: [curriculumExpertsDefinition as unknown as SchemeDefinition],
};
