import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../seeds.js';
import { initialValues, type Initializer } from './init.js';

/** tf.variable names are engine-global; this keeps two models with one name from colliding. */
let instanceCounter = 0;

/**
 * The variables of one text model, keyed by stable names ("layer1/attention/query/kernel") that
 * `stateVariables()` reports and `saveTextModel` writes. Each weight's initial values come from
 * `deriveSeed(seed, key)`, so adding a weight never changes the others.
 */
export class ParameterStore {
  private readonly prefix: string;
  private readonly trainable: tf.Variable[] = [];
  private readonly all: Record<string, tf.Variable> = {};

  constructor(
    modelName: string,
    private readonly seed: number,
  ) {
    instanceCounter += 1;
    this.prefix = `${modelName}#${instanceCounter}`;
  }

  /** a trainable weight */
  weight(key: string, shape: readonly number[], init: Initializer): tf.Variable {
    const variable = this.create(key, shape, init, true);
    this.trainable.push(variable);
    return variable;
  }

  /** a non-trainable state variable (saved and checkpointed, never updated by optimisers) */
  state(key: string, shape: readonly number[], init: Initializer): tf.Variable {
    return this.create(key, shape, init, false);
  }

  trainableVariables(): tf.Variable[] {
    return [...this.trainable];
  }

  stateVariables(): Record<string, tf.Variable> {
    return { ...this.all };
  }

  countParams(): number {
    return this.trainable.reduce((sum, v) => sum + v.size, 0);
  }

  dispose(): void {
    for (const variable of Object.values(this.all)) variable.dispose();
  }

  private create(key: string, shape: readonly number[], init: Initializer, trainable: boolean): tf.Variable {
    if (key in this.all) throw new Error(`duplicate weight name ${key}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = initialValues(init, size, deriveSeed(this.seed, key));
    const initial = tf.tensor(values, [...shape], 'float32');
    const variable = tf.variable(initial, trainable, `${this.prefix}/${key}`);
    initial.dispose(); // the variable holds its own reference to the data
    this.all[key] = variable;
    return variable;
  }
}
