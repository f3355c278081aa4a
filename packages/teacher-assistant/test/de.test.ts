import { describe, expect, it } from 'vitest';
import { ConfigError, type Predictions } from '@distillery/core';
import { differentialEvolution, normaliseWeights, scoreEnsemble, searchEnsembleWeights } from '../src/index.js';

/**
 * Members that each put all their mass on the true class of their own block of samples and on a wrong
 * class elsewhere. The mixture then gives q_y = w_k on block k, so the validation NLL is
 * -sum_k f_k log w_k, minimised (Gibbs' inequality) exactly at w_k = f_k, the block fractions.
 */
function blockMembers(fractions: readonly number[], n: number, classes = 3): Predictions[] {
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const owner = new Int32Array(n);
  let start = 0;
  fractions.forEach((f, k) => {
    const end = k === fractions.length - 1 ? n : start + Math.round(f * n);
    owner.fill(k, start, end);
    start = end;
  });
  return fractions.map((_, k) => {
    const probabilities = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      const y = labels[i] as number;
      probabilities[i * classes + (owner[i] === k ? y : (y + 1) % classes)] = 1;
    }
    return { probabilities, labels, classes };
  });
}

describe('differential evolution (rand/1/bin)', () => {
  it('finds the minimum of a shifted sphere and never loses its best', () => {
    const optimum = [0.2, 0.7, 0.45];
    const result = differentialEvolution({ dimension: 3, seed: 3, generations: 120, fitness: (x) => x.reduce((s, v, i) => s + (v - optimum[i]!) ** 2, 0) });
    result.best.forEach((v, i) => expect(v).toBeCloseTo(optimum[i]!, 3));
    expect(result.bestFitness).toBeLessThan(1e-6);
    for (let g = 1; g < result.history.length; g++) expect(result.history[g]).toBeLessThanOrEqual(result.history[g - 1]!);
    expect(result.evaluations).toBe(30 + 120 * 30);
  });

  it('is a pure function of its seed', () => {
    const fitness = (x: readonly number[]): number => Math.abs(x[0]! - 0.3) + Math.abs(x[1]! - 0.6);
    const a = differentialEvolution({ dimension: 2, seed: 9, generations: 20, fitness });
    const b = differentialEvolution({ dimension: 2, seed: 9, generations: 20, fitness });
    const c = differentialEvolution({ dimension: 2, seed: 10, generations: 20, fitness });
    expect(a.best).toEqual(b.best);
    expect(a.history).toEqual(b.history);
    expect(c.history).not.toEqual(a.history);
  });

  it('keeps every candidate inside the bounds', () => {
    const seen: number[] = [];
    differentialEvolution({ dimension: 2, seed: 1, generations: 15, bounds: [-1, 2], mutation: 2, fitness: (x) => (seen.push(...x), -x[0]! - x[1]!) });
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
  });

  it('rejects settings outside their domain', () => {
    const fitness = (): number => 0;
    expect(() => differentialEvolution({ dimension: 2, seed: 1, fitness, populationSize: 3 })).toThrow(ConfigError);
    expect(() => differentialEvolution({ dimension: 0, seed: 1, fitness })).toThrow(/dimension/);
    expect(() => differentialEvolution({ dimension: 2, seed: 1, fitness, mutation: 0 })).toThrow(/mutation/);
    expect(() => differentialEvolution({ dimension: 2, seed: 1, fitness, crossover: 1.5 })).toThrow(/crossover/);
    expect(() => differentialEvolution({ dimension: 2, seed: 1, fitness, bounds: [1, 0] })).toThrow(/bounds/);
  });
});

describe('ensemble weights by differential evolution', () => {
  it('finds the known optimum w = block fractions of a constructed ensemble (NLL objective)', () => {
    const fractions = [0.5, 0.3, 0.2];
    const members = blockMembers(fractions, 200);
    const found = searchEnsembleWeights({ members, seed: 4, search: { generations: 150 } });
    expect(found.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    found.weights.forEach((w, k) => expect(w).toBeCloseTo(fractions[k]!, 2));
    const optimalNll = -fractions.reduce((s, f) => s + f * Math.log(f), 0);
    expect(found.nll).toBeCloseTo(optimalNll, 4);
    expect(scoreEnsemble(members, fractions).nll).toBeCloseTo(optimalNll, 6);
  });

  it('with the accuracy objective is at least as accurate as the best single member', () => {
    const members = blockMembers([0.6, 0.4], 100);
    const found = searchEnsembleWeights({ members, objective: 'accuracy', seed: 2, search: { generations: 30 } });
    expect(found.accuracy).toBeGreaterThanOrEqual(0.6);
    expect(found.objective).toBe('accuracy');
  });

  it('normalises weights (all-zero -> uniform) and rejects mismatched members', () => {
    expect(normaliseWeights([1, 3])).toEqual([0.25, 0.75]);
    expect(normaliseWeights([0, 0, 0])).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const [a] = blockMembers([1], 10);
    const shorter = blockMembers([1], 9)[0]!;
    expect(() => searchEnsembleWeights({ members: [] })).toThrow(/no ensemble members/);
    expect(() => searchEnsembleWeights({ members: [a!, shorter] })).toThrow(/different samples/);
  });
});
