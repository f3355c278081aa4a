import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import type { KnowledgeLoss } from '@distillery/core';
import { plugin, responseDefinitions } from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const expected = {
  'reverse-kl': { knowledge: 'response', teacher: 'any', terms: ['reverseKl'] },
  js: { knowledge: 'response', teacher: 'any', terms: ['js'] },
  bdkd: { knowledge: 'response', teacher: 'any', terms: ['bdkd'] },
  dkd: { knowledge: 'response', teacher: 'any', terms: ['tckd', 'nckd'] },
  nkd: { knowledge: 'response', teacher: 'any', terms: ['nkdTarget', 'nkdNonTarget'] },
  'tf-nkd': { knowledge: 'none', teacher: 'none', terms: ['tfNkdTarget', 'tfNkdNonTarget'] },
  lsr: { knowledge: 'none', teacher: 'none', terms: ['lsr'] },
  'tf-kd-virtual': { knowledge: 'none', teacher: 'none', terms: ['tfKd'] },
  ctkd: { knowledge: 'response', teacher: 'any', terms: ['ctkd'] },
  'continuation-kd': { knowledge: 'response', teacher: 'any', terms: ['continuationKd'] },
} as const;

describe('response loss definitions in the plugin', () => {
  it('registers every response loss by name after ce and kd', () => {
    const registry = new Registry().register(plugin);
    const names = registry.losses().map((l) => l.name);
    expect(responseDefinitions.map((d) => d.name)).toEqual(Object.keys(expected));
    expect(names).toEqual(expect.arrayContaining(['ce', 'kd', ...Object.keys(expected)]));
    expect(new Set(names).size).toBe(names.length);
  });

  for (const definition of responseDefinitions) {
    const facts = expected[definition.name as keyof typeof expected];
    it(`"${definition.name}": knowledge type, paper, JSON-safe defaults, options validated`, () => {
      expect(definition).toMatchObject({ kind: 'loss', knowledge: facts.knowledge });
      expect(definition.reference.year).toBeGreaterThan(1990);
      expect(definition.reference.url).toMatch(/^https:\/\//);
      expect(JSON.parse(JSON.stringify(definition.defaults))).toEqual(definition.defaults);
      const loss = definition.create({}) as KnowledgeLoss & { options: unknown };
      expect(loss.name).toBe(definition.name);
      expect(loss.options).toEqual(definition.defaults);
      expect(loss.requires.teacher).toBe(facts.teacher);
      expect(() => definition.create({ noSuchOption: 1 })).toThrow(/unknown option "noSuchOption"/);
    });
  }

  it('each loss returns exactly its documented terms', () => {
    const classes = 4;
    const context = {
      student: { logits: tf.tensor2d([[1, 0.5, -1, 0.2], [0, 2, 1, -0.5]]), features: {} },
      teacher: { logits: tf.tensor2d([[2, 0, -1, 0.5], [0.3, 1, 1.5, 0]]), features: {} },
      labels: tf.tensor1d([0, 2], 'int32'),
      indices: tf.tensor1d([0, 1], 'int32'),
      numClasses: classes,
      progress: { epoch: 0, step: 0, fraction: 0.5 },
    };
    const setup = { numClasses: classes, datasetSize: 2, teacherAccess: 'white-box' as const, studentFeatureShapes: {}, teacherFeatureShapes: {}, seed: 0 };
    for (const definition of responseDefinitions) {
      const loss = definition.create({});
      loss.prepare?.(setup);
      const names = tf.tidy(() => Object.keys(loss.compute(context)));
      expect(names, definition.name).toEqual([...expected[definition.name as keyof typeof expected].terms]);
      loss.dispose?.();
    }
    tf.dispose([context.student.logits, context.teacher.logits, context.labels, context.indices]);
  });
});
