import { ConfigError } from '@distillery/core';
import { createRng } from '@distillery/data';

export interface DifferentialEvolutionOptions {
  /** number of coordinates */
  readonly dimension: number;
  /** minimised; called with a candidate inside the bounds */
  readonly fitness: (x: readonly number[]) => number;
  /** box constraints applied to every coordinate; default [0, 1] */
  readonly bounds?: readonly [number, number];
  /** default max(10, 10 * dimension); at least 4 (rand/1 needs three others) */
  readonly populationSize?: number;
  /** default 100 */
  readonly generations?: number;
  /** differential weight F in (0, 2]; default 0.7 */
  readonly mutation?: number;
  /** crossover rate CR in [0, 1]; default 0.9 */
  readonly crossover?: number;
  readonly seed: number;
}

export interface DifferentialEvolutionResult {
  readonly best: number[];
  readonly bestFitness: number;
  /** best fitness after each generation (non-increasing) */
  readonly history: number[];
  readonly evaluations: number;
}

function validate(options: DifferentialEvolutionOptions, populationSize: number, generations: number, mutation: number, crossover: number): void {
  if (!Number.isInteger(options.dimension) || options.dimension < 1) throw new ConfigError(`dimension must be a positive integer, got ${options.dimension}`, 'one coordinate per weight');
  if (!Number.isInteger(populationSize) || populationSize < 4) throw new ConfigError(`populationSize must be an integer >= 4, got ${populationSize}`, 'rand/1 mutation draws three members besides the target');
  if (!Number.isInteger(generations) || generations < 0) throw new ConfigError(`generations must be an integer >= 0, got ${generations}`, 'e.g. 100');
  if (!(mutation > 0 && mutation <= 2)) throw new ConfigError(`mutation F must lie in (0, 2], got ${mutation}`, 'Storn and Price recommend 0.5-1');
  if (!(crossover >= 0 && crossover <= 1)) throw new ConfigError(`crossover CR must lie in [0, 1], got ${crossover}`, 'e.g. 0.9');
  const [low, high] = options.bounds ?? [0, 1];
  if (!(low < high) || !Number.isFinite(low) || !Number.isFinite(high)) throw new ConfigError(`bounds [${low}, ${high}] are not a finite interval`, 'e.g. [0, 1]');
}

/**
 * Differential evolution, DE/rand/1/bin (Storn and Price, 1997), minimising `fitness` over a box.
 * For every member x_i: a mutant v = x_r1 + F (x_r2 - x_r3) from three other distinct members, binomial
 * crossover (each coordinate from v with probability CR, at least one always), clipping to the bounds,
 * and greedy selection (the trial replaces x_i when it is no worse). Every draw comes from one seeded
 * generator, so a search is a pure function of its options.
 */
export function differentialEvolution(options: DifferentialEvolutionOptions): DifferentialEvolutionResult {
  const { dimension, fitness } = options;
  const populationSize = options.populationSize ?? Math.max(10, 10 * dimension);
  const generations = options.generations ?? 100;
  const mutation = options.mutation ?? 0.7;
  const crossover = options.crossover ?? 0.9;
  validate(options, populationSize, generations, mutation, crossover);
  const [low, high] = options.bounds ?? [0, 1];
  const rng = createRng(options.seed);
  const clip = (v: number): number => Math.min(high, Math.max(low, v));

  const population = Array.from({ length: populationSize }, () => Array.from({ length: dimension }, () => low + (high - low) * rng.nextFloat()));
  const scores = population.map((x) => fitness(x));
  let evaluations = populationSize;
  const bestIndex = (): number => scores.reduce((best, s, i) => (s < (scores[best] as number) ? i : best), 0);
  const history: number[] = [];

  for (let generation = 0; generation < generations; generation++) {
    for (let i = 0; i < populationSize; i++) {
      const picks: number[] = [];
      while (picks.length < 3) {
        const r = rng.nextInt(populationSize);
        if (r !== i && !picks.includes(r)) picks.push(r);
      }
      const [a, b, c] = picks.map((r) => population[r] as number[]) as [number[], number[], number[]];
      const target = population[i] as number[];
      const forced = rng.nextInt(dimension);
      const trial = target.map((value, d) => (d === forced || rng.nextFloat() < crossover ? clip((a[d] as number) + mutation * ((b[d] as number) - (c[d] as number))) : value));
      const score = fitness(trial);
      evaluations += 1;
      if (score <= (scores[i] as number)) {
        population[i] = trial;
        scores[i] = score;
      }
    }
    history.push(scores[bestIndex()] as number);
  }
  const best = bestIndex();
  return { best: [...(population[best] as number[])], bestFitness: scores[best] as number, history, evaluations };
}
