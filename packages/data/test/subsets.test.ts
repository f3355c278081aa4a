import { ConfigError, EmptyDatasetError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { labelsPerClass, onlyClasses, selectSamples, split, take, withoutClasses } from '../src/subsets.js';
import { randomTranslation } from '../src/transforms.js';
import { indexedDataset } from './helpers.js';

// 100 samples, labels i % 4: classes 0..3 have 25 samples each.
const ds = indexedDataset(100, [2, 2, 1], 4);
const counts = (d: { classCounts(): Int32Array }) => Array.from(d.classCounts());
const ids = (d: { sourceIds: Int32Array }) => Array.from(d.sourceIds);

describe('selectSamples', () => {
  it('copies rows, labels and source ids in the given order', () => {
    const s = selectSamples(ds, [7, 3], 'pick');
    expect(s.size).toBe(2);
    expect(Array.from(s.input(0))).toEqual([7000, 7001, 7002, 7003]);
    expect(Array.from(s.labels)).toEqual([3, 3]);
    expect(ids(s)).toEqual([7, 3]);
    expect(s.inputs).not.toBe(ds.inputs);
    // Source ids compose: a subset of a subset still names the original samples.
    expect(ids(selectSamples(s, [1], 'again'))).toEqual([3]);
    expect(() => selectSamples(ds, [100], 'x')).toThrow(ConfigError);
    expect(() => selectSamples(ds, [], 'x')).toThrow(EmptyDatasetError);
  });

  it('take keeps the first n', () => {
    expect(ids(take(ds, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(take(ds, 500).size).toBe(100);
    expect(() => take(ds, 0)).toThrow(ConfigError);
  });
});

describe('labelsPerClass', () => {
  it('keeps exactly n per class, seeded, in original relative order', () => {
    const a = labelsPerClass(ds, 3, 1);
    expect(counts(a)).toEqual([3, 3, 3, 3]);
    expect(ids(a)).toEqual([...ids(a)].sort((x, y) => x - y));
    a.sourceIds.forEach((id, i) => expect(a.labels[i]).toBe(id % 4));
    expect(ids(labelsPerClass(ds, 3, 1))).toEqual(ids(a));
    expect(ids(labelsPerClass(ds, 3, 2))).not.toEqual(ids(a));
    // A larger n from the same seed extends the smaller selection (first n in one seeded order).
    const b = labelsPerClass(ds, 5, 1);
    expect(ids(a).every((id) => ids(b).includes(id))).toBe(true);
  });

  it('takes all of a class that has fewer than n, and validates n', () => {
    const without = withoutClasses(ds, [2]);
    expect(counts(labelsPerClass(without, 30, 0))).toEqual([25, 25, 0, 25]);
    expect(() => labelsPerClass(ds, 0, 0)).toThrow(ConfigError);
    expect(() => labelsPerClass(ds, 1.5, 0)).toThrow(ConfigError);
  });
});

describe('withoutClasses / onlyClasses', () => {
  it('drop or keep whole classes and keep numClasses', () => {
    const w = withoutClasses(ds, [3]);
    expect(counts(w)).toEqual([25, 25, 25, 0]);
    expect(w.numClasses).toBe(4);
    const o = onlyClasses(ds, [1, 2]);
    expect(counts(o)).toEqual([0, 25, 25, 0]);
    expect(o.size + withoutClasses(ds, [1, 2]).size).toBe(100);
    expect(ids(o).every((id) => id % 4 === 1 || id % 4 === 2)).toBe(true);
  });

  it('remap relabels the kept classes 0..k-1 in the listed order', () => {
    const o = onlyClasses(ds, [3, 1], { remap: true });
    expect(o.numClasses).toBe(2);
    expect(counts(o)).toEqual([25, 25]);
    o.sourceIds.forEach((id, i) => expect(o.labels[i]).toBe(id % 4 === 3 ? 0 : 1));
  });

  it('reject unknown classes and empty results, and carry the transform', () => {
    expect(() => withoutClasses(ds, [4])).toThrow(ConfigError);
    expect(() => onlyClasses(ds, [-1])).toThrow(ConfigError);
    expect(() => withoutClasses(ds, [0, 1, 2, 3])).toThrow(EmptyDatasetError);
    const jitter = randomTranslation({ maxShift: 1 });
    expect(onlyClasses(ds.withTransform(jitter), [0]).transform).toBe(jitter);
  });
});

describe('split', () => {
  it('holds out round(fraction * size) samples; parts are disjoint and cover the dataset', () => {
    const { train, validation } = split(ds, 0.2, 7);
    expect(validation.size).toBe(20);
    expect(train.size).toBe(80);
    const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(ids(split(ds, 0.2, 7).validation)).toEqual(ids(validation));
    expect(ids(split(ds, 0.2, 8).validation)).not.toEqual(ids(validation));
  });

  it('stratify splits every class by the fraction', () => {
    const { train, validation } = split(ds, 0.2, 7, { stratify: true });
    expect(counts(validation)).toEqual([5, 5, 5, 5]);
    expect(counts(train)).toEqual([20, 20, 20, 20]);
  });

  it('validates the fraction', () => {
    for (const fraction of [0, 1, -0.1, Number.NaN]) expect(() => split(ds, fraction, 0)).toThrow(ConfigError);
    expect(() => split(ds, 0.001, 0)).toThrow(EmptyDatasetError);
  });
});
