import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, RegistryError, Registry, selectBackend, type LossDefinition } from '../src/index.js';

const fakeLoss: LossDefinition = {
  kind: 'loss',
  name: 'fake',
  summary: 'test',
  knowledge: 'response',
  reference: { title: 't', authors: 'a', year: 2020 },
  defaults: {},
  create: () => ({ name: 'fake', requires: { teacher: 'none' }, compute: () => ({}) }),
};

describe('Registry', () => {
  it('finds registered methods and names the known ones when asked for an unknown one', () => {
    const registry = new Registry().register({ name: 'p', losses: [fakeLoss] });
    expect(registry.loss('fake').name).toBe('fake');
    expect(() => registry.loss('nope')).toThrow(/known: fake/);
    expect(() => registry.scheme('nope')).toThrow(RegistryError);
  });

  it('refuses two plugins that claim one name', () => {
    const registry = new Registry().register({ name: 'p', losses: [fakeLoss] });
    expect(() => registry.register({ name: 'q', losses: [fakeLoss] })).toThrow(/already registered/);
  });
});

describe('selectBackend', () => {
  afterEach(async () => {
    delete process.env['DISTILLERY_BACKEND'];
    await tf.setBackend('cpu');
  });

  it('honours a forced backend', async () => {
    const choice = await selectBackend({ force: 'cpu' });
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reads DISTILLERY_BACKEND', async () => {
    process.env['DISTILLERY_BACKEND'] = 'wasm';
    const choice = await selectBackend();
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend({ force: 'gpu' as never })).rejects.toBeInstanceOf(ConfigError);
  });

  it('falls through to an installed backend and says why it skipped the others', async () => {
    const choice = await selectBackend();
    expect(['tensorflow', 'native', 'wasm']).toContain(choice.name);
    if (choice.name !== 'tensorflow') expect(choice.skipped[0]?.name).toBe('tensorflow');
  });
});
