import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { agglomerativeClusters, ckaMatrix, linearCka, selectHintLayers } from '../../src/feature-relation.js';
import { codeOf, expectClose, golden, seededValues } from '../feature/helpers.js';
import type { Nested } from '../feature/helpers.js';

const g = golden['cka'] as { layers: Record<string, Nested>; order: string[]; matrix: number[][] };

/** A random orthogonal d x d matrix (QR of a seeded matrix, Gram-Schmidt in float64). */
function orthogonal(d: number, seed: number): tf.Tensor2D {
  const a = seededValues([d, d], seed).arraySync() as number[][];
  const q: number[][] = [];
  for (let j = 0; j < d; j++) {
    let v = a.map((row) => row[j] as number);
    for (const u of q) {
      const dot = v.reduce((s, x, i) => s + x * (u[i] as number), 0);
      v = v.map((x, i) => x - dot * (u[i] as number));
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  return tf.tensor2d(q);
}

describe('hint-point selection', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes linear CKA as NumPy does (golden)', () => {
    const layers = g.order.map((name) => [name, tf.tensor(g.layers[name] as number[])] as const);
    const matrix = ckaMatrix(layers);
    matrix.forEach((row, i) => row.forEach((v, j) => expectClose(v, g.matrix[i]?.[j] as number, `cka[${i}][${j}]`, 1e-6)));
    tf.dispose(layers.map(([, t]) => t));
  });

  it('CKA is 1 under rotation and scaling, symmetric, in [0, 1], and ignores layer width', () => {
    const x = seededValues([24, 5], 1);
    const r = orthogonal(5, 2);
    const rotated = tf.mul(tf.matMul(x, r), 3.7);
    const wider = tf.concat([x, x], 1); // same Gram matrix up to a factor 2
    const y = seededValues([24, 3], 3);
    expect(linearCka(x, rotated)).toBeCloseTo(1, 5);
    expect(linearCka(x, wider)).toBeCloseTo(1, 6);
    expect(linearCka(x, y)).toBeCloseTo(linearCka(y, x), 12);
    expect(linearCka(x, y)).toBeGreaterThan(0);
    expect(linearCka(x, y)).toBeLessThan(1);
    tf.dispose([x, r, rotated, wider, y]);
  });

  it('clusters a distance matrix bottom-up with deterministic ties', () => {
    // two tight pairs {0, 1} and {2, 3} far apart, and 4 in between but nearer {2, 3}
    const d = [
      [0, 0.1, 0.9, 0.9, 0.7],
      [0.1, 0, 0.9, 0.9, 0.7],
      [0.9, 0.9, 0, 0.2, 0.4],
      [0.9, 0.9, 0.2, 0, 0.4],
      [0.7, 0.7, 0.4, 0.4, 0],
    ];
    expect(agglomerativeClusters(d, 5)).toEqual([[0], [1], [2], [3], [4]]);
    expect(agglomerativeClusters(d, 3)).toEqual([[0, 1], [2, 3], [4]]);
    expect(agglomerativeClusters(d, 2)).toEqual([[0, 1], [2, 3, 4]]);
    expect(agglomerativeClusters(d, 1)).toEqual([[0, 1, 2, 3, 4]]);
    // single linkage joins 4 to {2, 3} at 0.4; complete linkage likewise here
    expect(agglomerativeClusters(d, 2, 'single')).toEqual([[0, 1], [2, 3, 4]]);
    expect(agglomerativeClusters(d, 2, 'complete')).toEqual([[0, 1], [2, 3, 4]]);
    // all distances equal: ties merge the first pair first
    const flat = [
      [0, 1, 1],
      [1, 0, 1],
      [1, 1, 0],
    ];
    expect(agglomerativeClusters(flat, 2)).toEqual([[0, 1], [2]]);
    expect(codeOf(() => agglomerativeClusters(flat, 4))).toBe('CONFIG_INVALID');
  });

  it('finds three known groups of layers and picks each group\'s medoid as its hint', () => {
    // Layers computed from three independent sources; within a group they are rotations, rescalings or
    // noisy copies of one representation, so CKA is ~1 inside a group and low across groups.
    const n = 48;
    const base = { a: seededValues([n, 6], 10), b: seededValues([n, 4], 20), c: seededValues([n, 5], 30) };
    const noise = (shape: number[], seed: number, scale: number) => tf.mul(seededValues(shape, seed), scale);
    const features: Record<string, tf.Tensor> = {
      // group A: a1 and a3 are noisy copies of the clean a2, so a2 is the medoid
      a1: tf.add(base.a, noise([n, 6], 11, 0.35)),
      a2: tf.matMul(base.a, orthogonal(6, 12)),
      a3: tf.add(tf.mul(base.a, 2), noise([n, 6], 13, 0.7)),
      // group B: b1 clean (as a map), b2 a rotated wider copy
      b1: tf.reshape(base.b, [n, 2, 2, 1]),
      b2: tf.matMul(tf.concat([base.b, noise([n, 2], 21, 0.05)], 1), orthogonal(6, 22)),
      // group C: one layer
      c1: base.c,
    };
    const selection = selectHintLayers(features, { clusters: 3 });
    expect(selection.layers).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    expect(selection.clusters).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2'], ['c1']]);
    expect(selection.hints).toEqual(['a2', 'b1', 'c1']);
    expect(selection.centrality['c1']).toBe(1);
    expect(selection.centrality['a2']).toBeGreaterThan(selection.centrality['a1'] as number);
    // within-group CKA is high, across-group CKA low
    const cka = selection.cka;
    expect(cka[0]?.[1]).toBeGreaterThan(0.85);
    expect(cka[3]?.[4]).toBeGreaterThan(0.95);
    expect(cka[0]?.[5]).toBeLessThan(0.5);
    // asking for 2 clusters merges the two closest groups; every layer stays in exactly one cluster
    const two = selectHintLayers(features, { clusters: 2 });
    expect(two.clusters.flat().sort()).toEqual(selection.layers.slice().sort());
    expect(two.hints).toHaveLength(2);
    tf.dispose([...Object.values(base), ...Object.values(features)]);
  });

  it('rejects an empty candidate set, mismatched batches, too many clusters and unknown linkages', () => {
    const x = seededValues([6, 2], 1);
    const y = seededValues([5, 2], 2);
    expect(codeOf(() => selectHintLayers({}, { clusters: 1 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => selectHintLayers({ x, y }, { clusters: 1 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => selectHintLayers({ x }, { clusters: 2 }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => selectHintLayers({ x }, { clusters: 1, linkage: 'ward' as 'average' }))).toBe('CONFIG_INVALID');
    tf.dispose([x, y]);
  });
});
