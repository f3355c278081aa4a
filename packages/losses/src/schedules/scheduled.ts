import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, LossTerms, StepContext } from '@distillery/core';
import type { Schedule } from './schedule.js';

export interface ScheduledOptions {
  /** multiplies every term of the loss by weight(progress.fraction) */
  readonly weight?: Schedule;
}

/**
 * The same loss with its terms scaled by a schedule over training, e.g. a KD term switched on
 * gradually (`linearSchedule({ from: 0, to: 1, end: 0.1 })`). Name, requirements, variables and state
 * are the wrapped loss's own; `dispose` disposes it.
 */
export function scheduled(loss: KnowledgeLoss, options: ScheduledOptions): KnowledgeLoss {
  const { weight } = options;
  const wrapped: KnowledgeLoss = {
    name: loss.name,
    requires: loss.requires,
    compute(context: StepContext): LossTerms {
      if (!weight) return loss.compute(context);
      const factor = weight(context.progress.fraction);
      return tf.tidy(() => {
        const terms = loss.compute(context);
        return Object.fromEntries(Object.entries(terms).map(([name, value]) => [name, tf.mul(value, factor) as tf.Scalar]));
      });
    },
  };
  if (loss.prepare) wrapped.prepare = (setup) => loss.prepare?.(setup);
  if (loss.variables) wrapped.variables = () => loss.variables?.() ?? {};
  if (loss.afterStep) wrapped.afterStep = (context) => loss.afterStep?.(context);
  if (loss.dispose) wrapped.dispose = () => loss.dispose?.();
  return wrapped;
}
