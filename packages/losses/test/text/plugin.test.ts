import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import type { KnowledgeLoss } from '@distillery/core';
import { plugin, textDefinitions } from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const expected = {
  'tinybert-embedding': { knowledge: 'feature', teacher: 'white-box', year: 2020 },
  'tinybert-hidden': { knowledge: 'feature', teacher: 'white-box', year: 2020 },
  'tinybert-attention': { knowledge: 'feature', teacher: 'white-box', year: 2020 },
  'tinybert-prediction': { knowledge: 'response', teacher: 'any', year: 2020 },
  'minilm-attention': { knowledge: 'feature', teacher: 'white-box', year: 2020 },
  'minilm-value': { knowledge: 'relation', teacher: 'white-box', year: 2020 },
  'contrastive-embedding': { knowledge: 'relation', teacher: 'white-box', year: 2021 },
  'token-kd': { knowledge: 'response', teacher: 'white-box', year: 2024 },
  'lm-ce': { knowledge: 'none', teacher: 'none', year: 2018 },
} as const;

describe('text loss definitions in the plugin', () => {
  it('registers every text loss by name, once', () => {
    const names = new Registry().register(plugin).losses().map((l) => l.name);
    expect(textDefinitions.map((d) => d.name)).toEqual(Object.keys(expected));
    expect(names).toEqual(expect.arrayContaining(Object.keys(expected)));
    expect(new Set(names).size).toBe(names.length);
  });

  for (const definition of textDefinitions) {
    const facts = expected[definition.name as keyof typeof expected];
    it(`"${definition.name}": knowledge type, paper, JSON-safe defaults, options validated`, () => {
      expect(definition).toMatchObject({ kind: 'loss', knowledge: facts.knowledge, reference: { year: facts.year } });
      expect(definition.reference.url).toMatch(/^https:\/\//);
      expect(JSON.parse(JSON.stringify(definition.defaults))).toEqual(definition.defaults);
      const loss = definition.create({}) as KnowledgeLoss & { options: unknown };
      expect(loss.name).toBe(definition.name);
      expect(loss.options).toEqual(definition.defaults);
      expect(loss.requires.teacher).toBe(facts.teacher);
      expect(() => definition.create({ noSuchOption: 1 })).toThrow(/unknown option "noSuchOption"/);
    });
  }
});
