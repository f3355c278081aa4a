import { describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import plugin, { ADVERSARIAL_DEFAULTS, BSS_DEFAULTS, ONLINE_DEFAULTS, adversarialKdDefinition, bssDefinition } from '../src/index.js';

describe('the plugin', () => {
  it('registers three schemes with references and JSON-safe defaults', () => {
    const registry = new Registry().register(plugin);
    expect(registry.plugins()).toEqual(['@distillery/adversarial']);
    expect(registry.schemes().map((s) => s.name)).toEqual(['adversarial-kd', 'bss', 'adversarial-online']);
    for (const scheme of registry.schemes()) {
      expect(scheme.reference.title.length, scheme.name).toBeGreaterThan(10);
      expect(scheme.reference.url, scheme.name).toMatch(/^https:\/\//);
      expect(JSON.parse(JSON.stringify(scheme.defaults))).toEqual(scheme.defaults);
    }
    expect(registry.scheme('adversarial-kd').reference.title).toBe('Adversarial Learning of Portable Student Networks');
    expect(registry.scheme('bss').reference.url).toBe('https://arxiv.org/abs/1805.05532');
  });

  it('keeps the registry defaults equal to the typed API defaults', () => {
    expect(adversarialKdDefinition.defaults).toMatchObject({
      alpha: 0.9,
      ganLoss: ADVERSARIAL_DEFAULTS.ganLoss,
      adversarialWeight: ADVERSARIAL_DEFAULTS.adversarialWeight,
      discriminatorLearningRate: ADVERSARIAL_DEFAULTS.discriminatorOptimizer.learningRate,
      discriminatorBeta1: ADVERSARIAL_DEFAULTS.discriminatorOptimizer.beta1,
      discriminatorHidden: [64, 64],
      discriminatorResponse: 'logits',
      studentFeature: '',
    });
    expect(bssDefinition.defaults).toMatchObject({ ...BSS_DEFAULTS, inputRange: [0, 1], stepRule: 'linear', boundaryWeight: 2, boundaryDecayEnd: 0.75, boundaryTemperature: 3, boundarySamples: 64 });
    expect(new Registry().register(plugin).scheme('adversarial-online').defaults).toMatchObject(ONLINE_DEFAULTS);
  });
});
