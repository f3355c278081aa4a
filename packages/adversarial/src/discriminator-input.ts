import * as tf from '@tensorflow/tfjs';
import { ConfigError, MissingFeatureError, requireChoice, requirePositive, type ModelOutputs, type TeacherAccess } from '@distillery/core';
import { WhiteBoxTeacherRequiredError } from './errors.js';

/**
 * What the discriminator sees of a model's response:
 * - 'logits': raw logits (Xu et al. 2017). Needs a white-box teacher: a black-box one reports log p,
 *   which differs from raw logits by a per-sample shift the discriminator would use to tell them apart.
 * - 'log-probabilities': log softmax(z / T), shift-free, works with black-box teachers.
 * - 'probabilities': softmax(z / T).
 * - 'none': no response part (a discriminator over a feature only, as in Wang et al. 2018).
 */
export type DiscriminatorResponse = 'logits' | 'log-probabilities' | 'probabilities' | 'none';
export const DISCRIMINATOR_RESPONSES: readonly DiscriminatorResponse[] = ['logits', 'log-probabilities', 'probabilities', 'none'];

export interface DiscriminatorInputOptions {
  /** default 'logits' */
  readonly response?: DiscriminatorResponse;
  /** T of the softened responses ('probabilities', 'log-probabilities'); default 1 */
  readonly temperature?: number;
  /** a student feature tap, flattened and appended to the input (Wang et al. 2018) */
  readonly studentFeature?: string;
  /** the teacher's tap paired with it; defaults to the student's tap name */
  readonly teacherFeature?: string;
  /** append the one-hot label to both sides: a conditional discriminator (Xu et al. 2017); default false */
  readonly conditionOnLabels?: boolean;
}

/** The resolved input description; `featureFor(side)` names the tap of each side. */
export class DiscriminatorInput {
  readonly response: DiscriminatorResponse;
  readonly temperature: number;
  readonly studentFeature: string | undefined;
  readonly teacherFeature: string | undefined;
  readonly conditionOnLabels: boolean;

  constructor(scheme: string, options: DiscriminatorInputOptions = {}) {
    this.response = requireChoice(scheme, 'discriminator response', options.response ?? 'logits', DISCRIMINATOR_RESPONSES);
    this.temperature = requirePositive(scheme, 'discriminator temperature', options.temperature ?? 1);
    // '' is the JSON-safe "no feature" of suite files
    this.studentFeature = options.studentFeature || undefined;
    this.teacherFeature = options.teacherFeature || this.studentFeature;
    if (this.teacherFeature && !this.studentFeature) {
      throw new ConfigError(`${scheme}: a teacher feature ("${this.teacherFeature}") was given without a student feature`, 'name the student tap (studentFeature) the discriminator compares with it');
    }
    this.conditionOnLabels = options.conditionOnLabels ?? false;
    if (this.response === 'none' && !this.studentFeature) {
      throw new ConfigError(`${scheme}: the discriminator would see nothing (response "none" and no feature)`, 'choose a response such as "logits" or name a feature tap');
    }
  }

  get usesFeatures(): boolean {
    return this.studentFeature !== undefined;
  }

  /** Refuses a black-box teacher when the input needs raw logits or a feature. */
  checkTeacherAccess(scheme: string, access: TeacherAccess): void {
    if (access !== 'black-box') return;
    if (this.usesFeatures) {
      throw new WhiteBoxTeacherRequiredError(
        `${scheme} (discriminator over feature "${this.teacherFeature}")`,
        'its feature taps',
        'drop the feature from the discriminator input, or distil from a model you can run (asTeacher(model))',
      );
    }
    if (this.response === 'logits') {
      throw new WhiteBoxTeacherRequiredError(
        `${scheme} (discriminator over raw logits)`,
        'raw logits; a black-box teacher reports log-probabilities',
        'use the discriminator response "log-probabilities" or "probabilities", which a black-box teacher supports',
      );
    }
  }

  /**
   * Width of one side's input from its per-sample feature shapes; throws MissingFeatureError when the
   * side lacks its tap.
   */
  width(side: 'student' | 'teacher', owner: string, numClasses: number, featureShapes: Readonly<Record<string, readonly number[]>>): number {
    let width = this.response === 'none' ? 0 : numClasses;
    const feature = side === 'student' ? this.studentFeature : this.teacherFeature;
    if (feature) {
      const shape = featureShapes[feature];
      if (!shape) throw new MissingFeatureError(`${owner} (discriminator input)`, feature, Object.keys(featureShapes));
      width += shape.reduce((a, b) => a * b, 1);
    }
    return width + (this.conditionOnLabels ? numClasses : 0);
  }

  /** The [batch, width] input of one side; differentiable w.r.t. the outputs (the student's side is on its tape). */
  build(side: 'student' | 'teacher', outputs: ModelOutputs, labels: tf.Tensor1D, numClasses: number): tf.Tensor2D {
    return tf.tidy(() => {
      const parts: tf.Tensor2D[] = [];
      const { logits } = outputs;
      if (this.response === 'logits') parts.push(logits);
      else if (this.response === 'log-probabilities') parts.push(tf.logSoftmax(tf.div(logits, this.temperature)) as tf.Tensor2D);
      else if (this.response === 'probabilities') parts.push(tf.softmax(tf.div(logits, this.temperature)) as tf.Tensor2D);
      const feature = side === 'student' ? this.studentFeature : this.teacherFeature;
      if (feature) {
        const value = outputs.features[feature];
        if (!value) throw new MissingFeatureError(`the ${side} (discriminator input)`, feature, Object.keys(outputs.features));
        parts.push(tf.reshape(value, [value.shape[0] as number, -1]) as tf.Tensor2D);
      }
      if (this.conditionOnLabels) parts.push(tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D);
      return parts.length === 1 ? (parts[0] as tf.Tensor2D).clone() : (tf.concat(parts, 1) as tf.Tensor2D);
    });
  }
}
