import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FUSED_ADAM_KERNEL,
  FUSED_MOMENTUM_KERNEL,
  FUSED_SGD_KERNEL,
  FusedAdamOptimizer,
  FusedMomentumOptimizer,
  FusedSGDOptimizer,
  createOptimizer,
  type OptimizerSpec,
} from '../src/index.js';

// Reference kernels in plain JS with the contract of backend/fused-optimizers.ts, written the way
// tfjs's own optimisers compute (each operation rounded to float32 in order). A real backend
// (@distillery/backend-native) registers native ones; these test the optimisers' side of the contract.
interface CpuData {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}
const f = Math.fround;
const calls: Record<string, number> = {};

function values(backend: CpuData, t: tf.TensorInfo | undefined): Float32Array {
  return backend.data.get(t!.dataId).values;
}

function register(kernelName: string, compute: (inputs: Record<string, Float32Array>, attrs: Record<string, number | boolean>, i: number) => number[]): void {
  tf.registerKernel({
    kernelName,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const cpu = backend as unknown as CpuData;
      calls[kernelName] = (calls[kernelName] ?? 0) + 1;
      const arrays = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, values(cpu, t)]));
      const size = arrays['variable']!.length;
      const outputs: Float32Array[] = [];
      for (let i = 0; i < size; i++) {
        compute(arrays, attrs as Record<string, number | boolean>, i).forEach((v, k) => {
          outputs[k] ??= new Float32Array(size);
          outputs[k]![i] = v;
        });
      }
      return outputs.map((out) => cpu.makeTensorInfo([...inputs['variable']!.shape], 'float32', out));
    },
  });
}

function registerReferenceKernels(): void {
  register(FUSED_ADAM_KERNEL, (a, attrs, i) => {
    const [lr, b1, b2, eps] = [attrs['learningRate'], attrs['beta1'], attrs['beta2'], attrs['epsilon']] as number[];
    const g = a['gradient']![i]!;
    const m = f(f(a['firstMoment']![i]! * f(b1!)) + f(g * f(1 - b1!)));
    const v = f(f(a['secondMoment']![i]! * f(b2!)) + f(f(g * g) * f(1 - b2!)));
    const mHat = f(m / f(1 - a['accBeta1']![0]!));
    const vHat = f(v / f(1 - a['accBeta2']![0]!));
    const w = f(f(f(mHat / f(f(Math.sqrt(vHat)) + f(eps!))) * f(-lr!)) + a['variable']![i]!);
    return [w, m, v];
  });
  register(FUSED_SGD_KERNEL, (a, attrs, i) => [f(f(f(-(attrs['learningRate'] as number)) * a['gradient']![i]!) + a['variable']![i]!)]);
  register(FUSED_MOMENTUM_KERNEL, (a, attrs, i) => {
    const mu = f(attrs['momentum'] as number);
    const c = f(-(attrs['learningRate'] as number));
    const g = a['gradient']![i]!;
    const acc = f(f(mu * a['accumulation']![i]!) + g);
    const w = attrs['useNesterov'] ? f(f(c * f(g + f(acc * mu))) + a['variable']![i]!) : f(f(c * acc) + a['variable']![i]!);
    return [w, acc];
  });
}

function unregisterReferenceKernels(): void {
  for (const name of [FUSED_ADAM_KERNEL, FUSED_SGD_KERNEL, FUSED_MOMENTUM_KERNEL]) {
    if (tf.getKernel(name, 'cpu')) tf.unregisterKernel(name, 'cpu');
  }
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Trains three variables (one without a gradient at step 1) for `steps` steps; returns their values and the slots. */
async function train(optimizer: tf.Optimizer, steps: number, prefix: string): Promise<{ variables: Float32Array[]; slots: Float32Array[] }> {
  const vars = [seeded([7, 5], 1).variable(true, `${prefix}/a`), seeded([5], 2).variable(true, `${prefix}/b`), seeded([3, 2, 2], 3).variable(true, `${prefix}/c`)];
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const grads = vars.map((v, i) => tf.sin(v.mul(step + 1 + i)).mul(0.7 + 0.1 * i));
      // A variable without a gradient: tfjs keeps its slots positional and skips the update.
      optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: step === 1 && i === 1 ? (undefined as unknown as tf.Tensor) : grads[i]! })));
    });
  }
  const variables = vars.map((v) => Float32Array.from(v.dataSync()));
  const weights = await optimizer.getWeights();
  const slots = weights.map((w) => Float32Array.from(w.tensor.dataSync()));
  tf.dispose(vars);
  return { variables, slots };
}

const SPECS: OptimizerSpec[] = [
  { name: 'adam', learningRate: 0.01 },
  { name: 'adam', learningRate: 0.003, beta1: 0.8, beta2: 0.95, epsilon: 1e-5 },
  { name: 'sgd', learningRate: 0.05 },
  { name: 'momentum', learningRate: 0.02, momentum: 0.9 },
  { name: 'momentum', learningRate: 0.02, momentum: 0.8, nesterov: true },
];

function stock(spec: OptimizerSpec): tf.Optimizer {
  switch (spec.name) {
    case 'adam':
      return tf.train.adam(spec.learningRate, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.epsilon ?? 1e-7);
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'momentum':
      return tf.train.momentum(spec.learningRate, spec.momentum, spec.nesterov ?? false);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate);
  }
}

describe('fused optimisers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    unregisterReferenceKernels();
  });

  it('createOptimizer builds the fused classes, which keep tfjs class names for serialisation', () => {
    const adam = createOptimizer({ name: 'adam', learningRate: 1e-3 });
    expect(adam).toBeInstanceOf(FusedAdamOptimizer);
    expect(adam).toBeInstanceOf(tf.AdamOptimizer);
    expect(adam.getClassName()).toBe('Adam');
    expect(createOptimizer({ name: 'sgd', learningRate: 1e-3 })).toBeInstanceOf(FusedSGDOptimizer);
    expect(createOptimizer({ name: 'momentum', learningRate: 1e-3, momentum: 0.9 })).toBeInstanceOf(FusedMomentumOptimizer);
    adam.dispose();
  });

  it.each(SPECS)('without a fused kernel: exactly tfjs ($name)', async (spec) => {
    const fused = createOptimizer(spec);
    const reference = stock(spec);
    const a = await train(fused, 4, 'x');
    const b = await train(reference, 4, 'y');
    expect(a).toEqual(b);
    fused.dispose();
    reference.dispose();
  });

  it.each(SPECS)('with a fused kernel: one call per variable, same values and slots as tfjs ($name)', async (spec) => {
    const reference = stock(spec);
    const expected = await train(reference, 4, 'ref');
    registerReferenceKernels();
    const kernel = { adam: FUSED_ADAM_KERNEL, sgd: FUSED_SGD_KERNEL, momentum: FUSED_MOMENTUM_KERNEL, rmsprop: '' }[spec.name];
    const before = calls[kernel] ?? 0;
    const fused = createOptimizer(spec);
    const actual = await train(fused, 4, 'fused');
    // 3 variables x 4 steps, one gradient missing at step 1
    expect((calls[kernel] ?? 0) - before).toBe(11);
    expect(actual).toEqual(expected);
    fused.dispose();
    reference.dispose();
  });

  it('fused Adam resumes from getWeights/setWeights (a checkpoint) exactly like an uninterrupted run', async () => {
    registerReferenceKernels();
    const spec: OptimizerSpec = { name: 'adam', learningRate: 0.01 };
    const straight = createOptimizer(spec);
    const expected = await train(straight, 5, 'straight');

    const first = createOptimizer(spec);
    const vars = [seeded([7, 5], 1).variable(true, 'resume/a'), seeded([5], 2).variable(true, 'resume/b'), seeded([3, 2, 2], 3).variable(true, 'resume/c')];
    const step = (opt: tf.Optimizer, s: number): void =>
      tf.tidy(() => {
        const grads = vars.map((v, i) => tf.sin(v.mul(s + 1 + i)).mul(0.7 + 0.1 * i));
        opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: s === 1 && i === 1 ? (undefined as unknown as tf.Tensor) : grads[i]! })));
      });
    for (let s = 0; s < 3; s++) step(first, s);
    const saved = (await first.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const second = createOptimizer(spec);
    await second.setWeights(saved);
    for (let s = 3; s < 5; s++) step(second, s);
    expect(vars.map((v) => Float32Array.from(v.dataSync()))).toEqual(expected.variables);
    tf.dispose([...vars, ...saved.map((w) => w.tensor)]);
    [straight, first, second].forEach((opt) => opt.dispose());
  });

  it('leaves no tensors behind per step', async () => {
    registerReferenceKernels();
    const optimizer = createOptimizer({ name: 'adam', learningRate: 0.01 });
    const v = seeded([16, 8], 4).variable(true, 'leak/v');
    const step = (): void => tf.tidy(() => optimizer.applyGradients({ [v.name]: tf.cos(v) } as unknown as Record<string, tf.Variable>));
    step(); // creates the slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    v.dispose();
    optimizer.dispose();
  });
});
