import type * as tf from '@tensorflow/tfjs';
import type { Projection } from '../feature/projection.js';
import { requirePrepared } from '../feature/taps.js';
import { makeProjection } from './masked-mse.js';
import type { ProjectionChoice } from './masked-mse.js';

/** Per-sample shapes of the student's and the teacher's tap, as the setup reported them. */
export interface TapShapes {
  readonly student: readonly number[];
  readonly teacher: readonly number[];
}

/**
 * The state of a loss comparing one student tap with one teacher tap through an optional learned
 * projection W (contrastive-embedding, tinybert-embedding): W and the tap shapes, rebuilt at every
 * prepare, exposed as the loss's variable `projection`, released by dispose.
 */
export class TapProjection {
  private projection: Projection | undefined;
  private tapShapes: TapShapes | undefined;

  constructor(
    private readonly loss: string,
    private readonly choice: ProjectionChoice,
  ) {}

  /** Replaces W by a seeded map from the student width onto the teacher width (none when `choice` says so). */
  reset(shapes: TapShapes, widths: { readonly student: number; readonly teacher: number }, seed: number): void {
    this.projection?.dispose();
    this.projection = makeProjection(this.loss, this.choice, widths.student, widths.teacher, seed, `${this.loss}/projection`);
    this.tapShapes = shapes;
  }

  /** The shapes from the last prepare; a ConfigError before the first. */
  shapes(): TapShapes {
    requirePrepared(this.loss, this.tapShapes !== undefined);
    return this.tapShapes as TapShapes;
  }

  /** W x, or x itself when there is no projection. */
  apply(x: tf.Tensor): tf.Tensor {
    return this.projection ? this.projection.apply(x) : x;
  }

  variables(): Record<string, tf.Variable> {
    return this.projection ? this.projection.variables('projection') : {};
  }

  dispose(): void {
    this.projection?.dispose();
    this.projection = undefined;
    this.tapShapes = undefined;
  }
}
