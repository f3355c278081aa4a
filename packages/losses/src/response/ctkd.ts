import * as tf from '@tensorflow/tfjs';
import { ConfigError, rejectUnknownOptions, requireChoice, requireFraction, requireNonNegative, requirePositive } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { REDUCTIONS } from '../divergence.js';
import type { Reduction } from '../divergence.js';
import { studentLogits, teacherLogits } from '../logits.js';
import { checkLossRequirements } from '../requirements.js';
import { cosineSchedule } from '../schedules/cosine.js';
import { gradientReversal } from './gradient-reversal.js';
import { li2023 } from './references.js';
import { softenedKl } from './softened.js';

export type CtkdOptions = {
  /** final strength of the reversed gradient; lambda ramps 0 -> lambdaMax */
  readonly lambdaMax: number;
  /** fraction of training over which lambda ramps (cosine); the official CIFAR runs use 10 of 240 epochs */
  readonly rampFraction: number;
  /** T = minTemperature + temperatureRange x sigmoid(theta): the official t_start = 1, t_end = 20 */
  readonly minTemperature: number;
  readonly temperatureRange: number;
  /** T at the start; the official code starts theta at 1, T = 1 + 20 sigmoid(1) ~ 15.62 */
  readonly initialTemperature: number;
  readonly reduction: Reduction;
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export const CTKD_DEFAULTS: CtkdOptions = {
  lambdaMax: 1,
  rampFraction: 1,
  minTemperature: 1,
  temperatureRange: 20,
  initialTemperature: 1 + 20 * sigmoid(1),
  reduction: 'batchmean',
};

export interface CtkdLoss extends KnowledgeLoss {
  readonly options: CtkdOptions;
  /** lambda at a fraction of training (the cosine curriculum) */
  lambda(fraction: number): number;
  /** the current temperature, read from the variable (for logging; not for hot loops) */
  temperature(): number;
}

/**
 * Curriculum Temperature KD (Li et al. AAAI 2023), global-temperature version as in the official code:
 *
 *   T      = minTemperature + temperatureRange x sigmoid(GRL_lambda(theta))      (theta: one learnable scalar)
 *   ctkd   = T^2 KL(softmax(z_T / T) || softmax(z_S / T))                         (their DistillKL, batchmean)
 *   lambda = lambdaMax (1 - cos(pi min(fraction / rampFraction, 1))) / 2           (the paper's cosine curriculum)
 *
 * GRL is a gradient reversal layer: the scheme minimises ctkd for the student and for theta alike, but
 * theta receives -lambda x its true gradient, so the temperature moves to *maximise* the distillation
 * loss - the paper's min over the student, max over the temperature - with a strength growing from 0.
 * The sigmoid keeps T inside (minTemperature, minTemperature + temperatureRange), the official [1, 21]
 * range. theta is created in `prepare` and returned from `variables()` so the scheme trains and
 * checkpoints it; `dispose` releases it.
 */
export function ctkdLoss(options: Partial<CtkdOptions> = {}): CtkdLoss {
  const name = 'ctkd';
  rejectUnknownOptions(name, options, Object.keys(CTKD_DEFAULTS));
  const merged = { ...CTKD_DEFAULTS, ...options };
  const resolved: CtkdOptions = {
    lambdaMax: requireNonNegative(name, 'lambdaMax', merged.lambdaMax, 'the paper ramps lambda to 1'),
    rampFraction: requireFraction(name, 'rampFraction', merged.rampFraction, 'a fraction of training, e.g. 1 or 10 / 240'),
    minTemperature: requirePositive(name, 'minTemperature', merged.minTemperature, 'the official code uses 1'),
    temperatureRange: requirePositive(name, 'temperatureRange', merged.temperatureRange, 'the official code uses 20'),
    initialTemperature: requirePositive(name, 'initialTemperature', merged.initialTemperature, 'a temperature inside the range'),
    reduction: requireChoice(name, 'reduction', merged.reduction, REDUCTIONS),
  };
  const { minTemperature, temperatureRange, initialTemperature } = resolved;
  const position = (initialTemperature - minTemperature) / temperatureRange;
  if (!(position > 0 && position < 1)) {
    throw new ConfigError(
      `${name}: initialTemperature ${initialTemperature} is outside (${minTemperature}, ${minTemperature + temperatureRange})`,
      'the temperature is a sigmoid of the parameter and cannot reach the ends of its range; start strictly inside it',
    );
  }
  const initialTheta = Math.log(position / (1 - position));
  const curriculum = cosineSchedule({ from: 0, to: resolved.lambdaMax, end: resolved.rampFraction });
  let theta: tf.Variable | undefined;

  const requireTheta = (): tf.Variable => {
    if (!theta) throw new ConfigError(`loss "${name}" was used before prepare()`, 'call prepare(setup) first; schemes do this before training');
    return theta;
  };
  const temperatureTensor = (reversal: number): tf.Scalar =>
    tf.add(minTemperature, tf.mul(temperatureRange, tf.sigmoid(gradientReversal(requireTheta(), reversal)))) as tf.Scalar;

  const loss: CtkdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'any', minClasses: 2 },
    prepare(setup: LossSetup): void {
      checkLossRequirements(loss, setup);
      theta?.dispose();
      theta = tf.tidy(() => tf.variable(tf.scalar(initialTheta), true));
    },
    compute(context: StepContext) {
      const zS = studentLogits(context, name);
      const zT = teacherLogits(context, name);
      const lambda = curriculum(context.progress.fraction);
      const ctkd = tf.tidy(() =>
        softenedKl(zS, zT, temperatureTensor(lambda), { direction: 'forward', reduction: resolved.reduction, scaleByT2: true }),
      );
      return { ctkd };
    },
    variables: (): Record<string, tf.Variable> => (theta ? { temperatureLogit: theta } : {}),
    lambda: (fraction) => curriculum(fraction),
    temperature: () => tf.tidy(() => temperatureTensor(0).dataSync()[0] as number),
    dispose(): void {
      theta?.dispose();
      theta = undefined;
    },
  };
  return loss;
}

export const ctkdDefinition: LossDefinition<CtkdOptions> = {
  kind: 'loss',
  name: 'ctkd',
  summary: 'Curriculum Temperature KD: a learnable temperature trained adversarially through gradient reversal',
  knowledge: 'response',
  reference: li2023,
  defaults: CTKD_DEFAULTS,
  create: (options) => ctkdLoss(options),
};
