import { ConfigError, type Predictions } from '@distillery/core';
import { differentialEvolution, type DifferentialEvolutionOptions, type DifferentialEvolutionResult } from './differential-evolution.js';

/** What the weight search minimises: the mixture's validation NLL, or its error rate (1 - accuracy). */
export type EnsembleObjective = 'nll' | 'accuracy';
export const ENSEMBLE_OBJECTIVES: readonly EnsembleObjective[] = ['nll', 'accuracy'];

/** Probabilities below this count as this in the NLL, so a member that is sure and wrong costs a finite amount. */
const MIN_PROBABILITY = 1e-12;

/** w / sum(w); all-zero weights (a corner of the search box) become uniform. */
export function normaliseWeights(raw: readonly number[]): number[] {
  const sum = raw.reduce((a, b) => a + Math.max(0, b), 0);
  return sum > 0 ? raw.map((w) => Math.max(0, w) / sum) : raw.map(() => 1 / raw.length);
}

export interface EnsembleScore {
  readonly accuracy: number;
  /** mean -log q_y of the mixture q = sum_k w_k p_k */
  readonly nll: number;
}

/** Accuracy and NLL of the weighted mixture of members' probabilities (weights used as given). */
export function scoreEnsemble(members: readonly Predictions[], weights: readonly number[]): EnsembleScore {
  const first = members[0] as Predictions;
  const { labels, classes } = first;
  const n = labels.length;
  const mixture = new Float64Array(classes);
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < n; i++) {
    mixture.fill(0);
    members.forEach((member, k) => {
      const w = weights[k] as number;
      for (let c = 0; c < classes; c++) mixture[c] = (mixture[c] as number) + w * (member.probabilities[i * classes + c] as number);
    });
    let best = 0;
    for (let c = 1; c < classes; c++) if ((mixture[c] as number) > (mixture[best] as number)) best = c;
    const label = labels[i] as number;
    if (best === label) correct += 1;
    nll -= Math.log(Math.max(MIN_PROBABILITY, mixture[label] as number));
  }
  return { accuracy: correct / n, nll: nll / n };
}

export interface WeightSearchOptions {
  /** each member's validation predictions (core's predictDataset), all on the same samples */
  readonly members: readonly Predictions[];
  /** default 'nll' (smooth; accuracy is piecewise constant in the weights) */
  readonly objective?: EnsembleObjective;
  /** DE settings; the search box is [0, 1] per member, and weights are normalised before scoring */
  readonly search?: Partial<Pick<DifferentialEvolutionOptions, 'populationSize' | 'generations' | 'mutation' | 'crossover'>>;
  readonly seed?: number;
}

export interface WeightSearchResult extends EnsembleScore {
  /** normalised: non-negative, summing to 1 */
  readonly weights: number[];
  readonly objective: EnsembleObjective;
  readonly search: DifferentialEvolutionResult;
}

function assertMembers(members: readonly Predictions[]): void {
  const first = members[0];
  if (!first) throw new ConfigError('no ensemble members given', 'pass the assistants\' validation predictions');
  if (first.labels.length === 0) throw new ConfigError('the members\' predictions are empty', 'predict on a non-empty validation set');
  for (const member of members) {
    if (member.classes !== first.classes) throw new ConfigError(`members predict ${member.classes} and ${first.classes} classes`, 'every member must predict the same classes');
    if (member.labels.length !== first.labels.length || member.labels.some((y, i) => y !== first.labels[i])) {
      throw new ConfigError('members were evaluated on different samples', 'predict every member on the same validation set, in the same order');
    }
  }
}

/**
 * Ensemble weights by differential evolution (Ganta, Gupta, Sheng 2022, "Knowledge Distillation via
 * Weighted Ensemble of Teaching Assistants"): raw weights in [0, 1]^K are normalised to sum to 1 and
 * scored by the validation NLL or error rate of the weighted mixture sum_k w_k p_k.
 */
export function searchEnsembleWeights(options: WeightSearchOptions): WeightSearchResult {
  const { members } = options;
  assertMembers(members);
  const objective = options.objective ?? 'nll';
  if (!ENSEMBLE_OBJECTIVES.includes(objective)) throw new ConfigError(`objective "${objective}" is unknown`, `use one of: ${ENSEMBLE_OBJECTIVES.join(', ')}`);
  const loss = (raw: readonly number[]): number => {
    const score = scoreEnsemble(members, normaliseWeights(raw));
    return objective === 'nll' ? score.nll : 1 - score.accuracy;
  };
  const search = differentialEvolution({ dimension: members.length, fitness: loss, bounds: [0, 1], seed: options.seed ?? 1, ...options.search });
  const weights = normaliseWeights(search.best);
  return { weights, objective, search, ...scoreEnsemble(members, weights) };
}
