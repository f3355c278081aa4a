import { describe, expect, it } from 'vitest';
import { Registry } from '@distillery/core';
import defaultPlugin, { crossEntropy, kdLoss, plugin } from '../src/index.js';

describe('plugin', () => {
  it('is the default and the named export, and registers "ce" and "kd" first', () => {
    expect(defaultPlugin).toBe(plugin);
    const registry = new Registry().register(plugin);
    expect(registry.losses().map((l) => l.name).slice(0, 2)).toEqual(['ce', 'kd']);
    expect(registry.plugins()).toEqual(['@distillery/losses']);
  });

  it('describes each loss with its knowledge type, a paper and JSON-safe defaults', () => {
    const registry = new Registry().register(plugin);
    const kd = registry.loss('kd');
    expect(kd).toMatchObject({ kind: 'loss', knowledge: 'response', reference: { year: 2015, url: 'https://arxiv.org/abs/1503.02531' } });
    expect(JSON.parse(JSON.stringify(kd.defaults))).toEqual({ temperature: 4, scaleByT2: true, reduction: 'batchmean', direction: 'forward' });
    const ce = registry.loss('ce');
    expect(ce).toMatchObject({ kind: 'loss', knowledge: 'none', defaults: { labelSmoothing: 0 } });
  });

  it('creates configured losses from partial options and validates them', () => {
    const registry = new Registry().register(plugin);
    const made = registry.loss('kd').create({ temperature: 2, direction: 'reverse' });
    expect(made.name).toBe('kd');
    expect((made as ReturnType<typeof kdLoss>).options).toEqual({ temperature: 2, scaleByT2: true, reduction: 'batchmean', direction: 'reverse' });
    expect((registry.loss('ce').create({ labelSmoothing: 0.1 }) as ReturnType<typeof crossEntropy>).options.labelSmoothing).toBe(0.1);
    expect(() => registry.loss('kd').create({ temperature: -1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => registry.loss('ce').create({ smoothing: 0.1 })).toThrow(/unknown option "smoothing"/);
  });
});
