import { describeSchemeConformance, tinyTeacher } from '@distillery/testkit';
import { caMkd, mixedKnowledge, multiTeacherDistillation, type Aggregation } from '../src/index.js';
import { ADAM, disposeAll, headAfterFirstHidden, teachersAndStudent } from './fixtures.js';

// One white-box and one black-box teacher, response knowledge only (cached logits).
for (const aggregation of ['mean-logits', 'random'] as Aggregation[]) {
  describeSchemeConformance(`multi-teacher ${aggregation} (white- and black-box teachers)`, {
    steps: 40,
    create: () => {
      const { dataset, small, deep, student } = teachersAndStudent(11);
      return {
        scheme: multiTeacherDistillation({ teachers: [tinyTeacher(small), tinyTeacher(deep, 'black-box')], student, aggregation, optimizer: ADAM }),
        frozen: [...small.trainableVariables(), ...deep.trainableVariables()],
        dataset,
        dispose: () => disposeAll(small, deep, student),
      };
    },
  });
}

describeSchemeConformance('multi-teacher weights (live teachers)', {
  steps: 40,
  create: () => {
    const { dataset, small, deep, student } = teachersAndStudent(12);
    return {
      scheme: multiTeacherDistillation({ teachers: [tinyTeacher(small), tinyTeacher(deep)], student, aggregation: 'weights', weights: [0.25, 0.75], cacheTeacherOutputs: false, optimizer: ADAM }),
      frozen: [...small.trainableVariables(), ...deep.trainableVariables()],
      dataset,
      dispose: () => disposeAll(small, deep, student),
    };
  },
});

describeSchemeConformance('CA-MKD with its intermediate-feature part (heads)', {
  steps: 40,
  create: () => {
    const { dataset, small, deep, student } = teachersAndStudent(13);
    return {
      scheme: caMkd({
        teachers: [tinyTeacher(small), tinyTeacher(deep)],
        student,
        optimizer: ADAM,
        beta: 1,
        features: { studentFeature: 'hidden0', teacherFeatures: ['hidden0', 'hidden0'], heads: [headAfterFirstHidden(small), headAfterFirstHidden(deep)] },
      }),
      frozen: [...small.trainableVariables(), ...deep.trainableVariables()],
      dataset,
      dispose: () => disposeAll(small, deep, student),
    };
  },
});

describeSchemeConformance('mixed knowledge: responses of one teacher, features of another', {
  steps: 40,
  create: () => {
    const { dataset, small, deep, student } = teachersAndStudent(14);
    return {
      scheme: mixedKnowledge({ responseTeacher: tinyTeacher(small, 'black-box'), featureTeacher: tinyTeacher(deep), studentFeature: 'hidden0', teacherFeature: 'hidden1', student, beta: 0.5, optimizer: ADAM }),
      frozen: [...small.trainableVariables(), ...deep.trainableVariables()],
      dataset,
      dispose: () => disposeAll(small, deep, student),
    };
  },
});
