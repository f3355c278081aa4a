import * as tf from '@tensorflow/tfjs';

/**
 * Kernel names of fused optimiser updates. A backend that registers one of them (as
 * @distillery/backend-native does for its OpenBLAS-backed cpu backend) lets the optimisers below
 * update each variable with one kernel call instead of tfjs's chain of ~14 elementwise kernels.
 * Contracts (every tensor float32, all of one shape; outputs in this order):
 * - FUSED_ADAM_KERNEL: inputs { variable, gradient, firstMoment, secondMoment, accBeta1, accBeta2 }
 *   (the last two scalars), attrs { learningRate, beta1, beta2, epsilon } -> [variable, firstMoment, secondMoment]
 * - FUSED_SGD_KERNEL: inputs { variable, gradient }, attrs { learningRate } -> [variable]
 * - FUSED_MOMENTUM_KERNEL: inputs { variable, gradient, accumulation }, attrs { learningRate, momentum,
 *   useNesterov } -> [variable, accumulation]
 * Each must compute exactly what tfjs's optimiser computes (same float32 operations, same order).
 */
export const FUSED_ADAM_KERNEL = 'DistilleryAdamUpdate';
export const FUSED_SGD_KERNEL = 'DistillerySgdUpdate';
export const FUSED_MOMENTUM_KERNEL = 'DistilleryMomentumUpdate';

// tfjs's Optimizer subclasses declare NamedVariableMap | NamedTensor[], types @tensorflow/tfjs does not re-export.
type AdamGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type SGDGradients = Parameters<tf.SGDOptimizer['applyGradients']>[0];
type MomentumGradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];
type Gradients = AdamGradients | SGDGradients | MomentumGradients;

interface SlotVariable {
  originalName: string;
  variable: tf.Variable;
}

/** tfjs's private optimiser state, read and written exactly as its own applyGradients does. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<SlotVariable | undefined>;
  accumulatedSecondMoment: Array<SlotVariable | undefined>;
}

interface MomentumState {
  momentum: number;
  useNesterov: boolean;
  accumulations: Array<SlotVariable | undefined>;
}

function gradientList(gradients: Gradients): Array<{ name: string; gradient: tf.Tensor | undefined }> {
  if (Array.isArray(gradients)) return gradients.map((g) => ({ name: g.name, gradient: g.tensor }));
  return Object.keys(gradients).map((name) => ({ name, gradient: gradients[name] }));
}

/**
 * True when the active backend has `kernelName` and every variable and gradient is float32: the
 * fused kernels exist for float32 only, and tfjs's own path stays in charge of everything else.
 */
function canFuse(kernelName: string, gradients: Gradients): boolean {
  if (tf.getKernel(kernelName, tf.getBackend()) === undefined) return false;
  return gradientList(gradients).every(({ name, gradient }) => {
    const variable = tf.engine().registeredVariables[name];
    return variable?.dtype === 'float32' && (gradient === undefined || gradient.dtype === 'float32');
  });
}

function zeroSlot(name: string, value: tf.Variable): SlotVariable {
  return { originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/**
 * tf.train.adam with a fused update: on a backend with FUSED_ADAM_KERNEL, one kernel call per
 * variable; anywhere else exactly tfjs's AdamOptimizer. Slots, iterations, getWeights/setWeights
 * (checkpoints) and the class name ('Adam') are tfjs's own, so checkpoints move freely between both.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: AdamGradients): void {
    if (!canFuse(FUSED_ADAM_KERNEL, variableGradients)) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const attrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    tf.tidy(() => {
      gradientList(variableGradients).forEach(({ name, gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        // Slots are created even for a missing gradient, as tfjs does, so slot order stays positional.
        const first = (state.accumulatedFirstMoment[i] ??= zeroSlot(`${name}/m`, value));
        const second = (state.accumulatedSecondMoment[i] ??= zeroSlot(`${name}/v`, value));
        if (gradient === undefined) return;
        const inputs = {
          variable: value,
          gradient,
          firstMoment: first.variable,
          secondMoment: second.variable,
          accBeta1: state.accBeta1,
          accBeta2: state.accBeta2,
        };
        const [newValue, newFirst, newSecond] = tf.engine().runKernel(FUSED_ADAM_KERNEL, inputs, attrs) as tf.Tensor[];
        first.variable.assign(newFirst!);
        second.variable.assign(newSecond!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** tf.train.sgd with a fused update where the backend has FUSED_SGD_KERNEL (one output array instead of two). */
export class FusedSGDOptimizer extends tf.SGDOptimizer {
  override applyGradients(variableGradients: SGDGradients): void {
    if (!canFuse(FUSED_SGD_KERNEL, variableGradients)) {
      super.applyGradients(variableGradients);
      return;
    }
    for (const { name, gradient } of gradientList(variableGradients)) {
      if (gradient === undefined) continue;
      const value = tf.engine().registeredVariables[name]!;
      tf.tidy(() => {
        const [newValue] = tf.engine().runKernel(FUSED_SGD_KERNEL, { variable: value, gradient }, { learningRate: this.learningRate }) as tf.Tensor[];
        value.assign(newValue!);
      });
    }
    this.incrementIterations();
  }
}

/** tf.train.momentum with a fused update where the backend has FUSED_MOMENTUM_KERNEL. */
export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: MomentumGradients): void {
    if (!canFuse(FUSED_MOMENTUM_KERNEL, variableGradients)) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as MomentumState;
    const attrs = { learningRate: this.learningRate, momentum: state.momentum, useNesterov: state.useNesterov };
    gradientList(variableGradients).forEach(({ name, gradient }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      const slot = (state.accumulations[i] ??= zeroSlot(`${name}/momentum`, value));
      if (gradient === undefined) return;
      tf.tidy(() => {
        const inputs = { variable: value, gradient, accumulation: slot.variable };
        const [newValue, newAccumulation] = tf.engine().runKernel(FUSED_MOMENTUM_KERNEL, inputs, attrs) as tf.Tensor[];
        slot.variable.assign(newAccumulation!);
        value.assign(newValue!);
      });
    });
    this.incrementIterations();
  }
}
