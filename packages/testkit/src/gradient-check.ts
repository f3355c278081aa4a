import * as tf from '@tensorflow/tfjs';
import type { KnowledgeLoss, StepContext } from '@distillery/core';
import { seededPermutation } from './random.js';

export interface GradientCheckOptions {
  /** central-difference half step, in input units (the applied step is re-measured after float32 rounding) */
  readonly epsilon?: number;
  /**
   * |numeric - analytic| must be <= absoluteTolerance + noiseFloor + relativeTolerance * max(|numeric|, |analytic|),
   * where noiseFloor = roundingUlps * 2^-23 * |loss| / epsilon is the float32 rounding of the loss value
   * amplified by the difference quotient (the loss runs in float32; only the quotient is float64)
   */
  readonly relativeTolerance?: number;
  readonly absoluteTolerance?: number;
  /** float32 ulps of rounding assumed at each end of the difference (default 8) */
  readonly roundingUlps?: number;
  /** coordinates probed per input tensor (chosen by a seeded shuffle); every one if the tensor is smaller */
  readonly maxCoordinates?: number;
  /** also check the student features the loss declares (default true) */
  readonly features?: boolean;
  /** also check the loss's own variables (default true) */
  readonly variables?: boolean;
  readonly seed?: number;
}

export interface GradientMismatch {
  readonly term: string;
  readonly input: string;
  readonly coordinate: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface GradientCheckReport {
  /** coordinates compared, over every term and input */
  readonly checked: number;
  readonly mismatches: readonly GradientMismatch[];
  /** largest |numeric - analytic| / allowed; <= 1 passes */
  readonly worstRatio: number;
}

const DEFAULTS = { epsilon: 1e-2, relativeTolerance: 1e-3, absoluteTolerance: 1e-6, roundingUlps: 8, maxCoordinates: 48, seed: 0 };
const FLOAT32_EPSILON = 2 ** -23;

interface Probe {
  readonly name: string;
  readonly values: Float32Array;
  readonly shape: number[];
  /** evaluates the term with this input set to `values` */
  readonly evaluate: (term: string, values: Float32Array) => number;
  readonly analytic: (term: string) => Float32Array;
}

/** Adds 0 x sum(x) so every input is on the tape even if a term ignores it (tf.grads throws otherwise). */
function connected(term: tf.Scalar, inputs: readonly tf.Tensor[]): tf.Scalar {
  return inputs.reduce<tf.Scalar>((acc, x) => tf.add(acc, tf.mul(tf.sum(x), 0)), term);
}

function termValue(loss: KnowledgeLoss, context: StepContext, term: string): number {
  return tf.tidy(() => {
    const terms = loss.compute(context);
    const value = terms[term];
    if (!value) throw new Error(`loss "${loss.name}" stopped returning term "${term}"`);
    return value.dataSync()[0] as number;
  });
}

function studentProbes(loss: KnowledgeLoss, context: StepContext, withFeatures: boolean): Probe[] {
  const names = ['logits', ...(withFeatures ? (loss.requires.studentFeatures ?? []) : [])];
  const originals = names.map((n) => (n === 'logits' ? context.student.logits : context.student.features[n]));
  const build = (replaced: readonly tf.Tensor[]): StepContext => {
    const features: Record<string, tf.Tensor> = { ...context.student.features };
    names.forEach((n, i) => {
      if (i > 0) features[n] = replaced[i] as tf.Tensor;
    });
    return { ...context, student: { logits: replaced[0] as tf.Tensor2D, features } };
  };
  return names.map((name, index) => {
    const original = originals[index];
    if (!original) throw new Error(`the context has no student feature "${name}" that loss "${loss.name}" declares`);
    return {
      name: name === 'logits' ? 'student.logits' : `student.features.${name}`,
      values: (original.dataSync() as Float32Array).slice(),
      shape: original.shape,
      evaluate: (term, values) =>
        tf.tidy(() => {
          const inputs = originals.map((t, i) => (i === index ? tf.tensor(values, original.shape) : (t as tf.Tensor)));
          return termValue(loss, build(inputs), term);
        }),
      analytic: (term) =>
        tf.tidy(() => {
          const inputs = originals as tf.Tensor[];
          const grads = tf.grads((...xs: tf.Tensor[]) => {
            const value = loss.compute(build(xs))[term];
            if (!value) throw new Error(`loss "${loss.name}" stopped returning term "${term}"`);
            return connected(value, xs);
          })(inputs);
          return (grads[index] as tf.Tensor).dataSync() as Float32Array;
        }),
    };
  });
}

function variableProbes(loss: KnowledgeLoss, context: StepContext): Probe[] {
  const variables = loss.variables?.() ?? {};
  return Object.entries(variables).map(([name, variable]) => {
    const saved = variable.dataSync().slice() as Float32Array;
    return {
      name: `variables.${name}`,
      values: saved,
      shape: variable.shape,
      evaluate: (term, values) => {
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
        try {
          return termValue(loss, context, term);
        } finally {
          tf.tidy(() => variable.assign(tf.tensor(saved, variable.shape)));
        }
      },
      analytic: (term) =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const value = loss.compute(context)[term];
            if (!value) throw new Error(`loss "${loss.name}" stopped returning term "${term}"`);
            return connected(value, [variable]);
          }, [variable]);
          return (grads[variable.name] as tf.Tensor).dataSync() as Float32Array;
        }),
    };
  });
}

/**
 * Compares tf.grad of every term against central finite differences w.r.t. the student logits, the
 * student features the loss declares and the loss's own variables. Losses run in float32, so the
 * tolerance includes the rounding noise of the loss value divided by the step; the step (1e-2) keeps
 * that noise small, and the actually applied step (after rounding the perturbed input to float32) is
 * used in the float64 quotient.
 * Call `prepare` on the loss first.
 */
export function checkLossGradients(loss: KnowledgeLoss, context: StepContext, options: GradientCheckOptions = {}): GradientCheckReport {
  const o = { ...DEFAULTS, ...options };
  const termNames = tf.tidy(() => Object.keys(loss.compute(context)));
  const probes = [
    ...studentProbes(loss, context, options.features ?? true),
    ...(options.variables ?? true ? variableProbes(loss, context) : []),
  ];
  const mismatches: GradientMismatch[] = [];
  let checked = 0;
  let worstRatio = 0;
  probes.forEach((probe, probeIndex) => {
    const coordinates = seededPermutation(probe.values.length, o.seed + probeIndex).slice(0, o.maxCoordinates);
    for (const term of termNames) {
      const analytic = probe.analytic(term);
      const noiseFloor = (o.roundingUlps * FLOAT32_EPSILON * Math.abs(probe.evaluate(term, probe.values))) / o.epsilon;
      for (const coordinate of coordinates) {
        const base = probe.values[coordinate] as number;
        const plus = Math.fround(base + o.epsilon);
        const minus = Math.fround(base - o.epsilon);
        const perturbed = probe.values.slice();
        perturbed[coordinate] = plus;
        const up = probe.evaluate(term, perturbed);
        perturbed[coordinate] = minus;
        const down = probe.evaluate(term, perturbed);
        const numeric = (up - down) / (plus - minus);
        const exact = analytic[coordinate] as number;
        const allowed = o.absoluteTolerance + noiseFloor + o.relativeTolerance * Math.max(Math.abs(numeric), Math.abs(exact));
        const ratio = Math.abs(numeric - exact) / allowed;
        worstRatio = Math.max(worstRatio, Number.isNaN(ratio) ? Infinity : ratio);
        if (!(ratio <= 1)) mismatches.push({ term, input: probe.name, coordinate, analytic: exact, numeric });
        checked++;
      }
    }
  });
  return { checked, mismatches, worstRatio };
}
