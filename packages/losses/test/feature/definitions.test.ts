import { describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import { featureRelationDefinitions } from '../../src/feature-relation.js';

describe('featureRelationDefinitions', () => {
  it('lists the eight losses with their knowledge type and a paper', () => {
    const summary = featureRelationDefinitions.map((d) => [d.name, d.knowledge, d.reference.year]);
    expect(summary).toEqual([
      ['fitnets', 'feature', 2015],
      ['at', 'feature', 2017],
      ['fsp', 'relation', 2017],
      ['overhaul', 'feature', 2019],
      ['rkd', 'relation', 2019],
      ['pkt', 'relation', 2018],
      ['sp', 'relation', 2019],
      ['crd', 'relation', 2020],
    ]);
    for (const d of featureRelationDefinitions) {
      expect(d.kind).toBe('loss');
      expect(d.summary.length).toBeGreaterThan(20);
      expect(d.reference.url).toMatch(/^https:\/\//);
    }
  });

  it('registers in a registry and creates each loss from JSON-round-tripped defaults', () => {
    const registry = new Registry().register({ name: 'feature-relation-test', losses: featureRelationDefinitions });
    for (const d of featureRelationDefinitions) {
      const defaults = JSON.parse(JSON.stringify(d.defaults)) as typeof d.defaults;
      expect(defaults).toEqual(d.defaults);
      const loss = registry.loss(d.name).create(defaults);
      expect(loss.name).toBe(d.name);
      expect(loss.requires.teacher).toBe('white-box');
      expect((loss as unknown as { options: unknown }).options).toEqual(d.defaults);
      // a loss made from no options equals one made from the defaults
      expect((d.create({}) as unknown as { options: unknown }).options).toEqual(d.defaults);
    }
  });

  it('rejects a misspelt option for every loss', () => {
    for (const d of featureRelationDefinitions) {
      expect(() => d.create({ temprature: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});
