import { FUSED_ADAM_KERNEL, FUSED_MOMENTUM_KERNEL, FUSED_SGD_KERNEL } from '@distillery/core';
import type { TensorInfo } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values, type CpuBackendLike } from '../cpu-backend.js';
import type { NativeKernelDefinition } from './types.js';

/** Reads the float32 arrays of `tensors`; throws unless every one exists, is float32 and matches `like`'s size. */
function arraysOf(backend: CpuBackendLike, kernelName: string, like: TensorInfo, tensors: Array<TensorInfo | undefined>): Float32Array[] {
  const size = float32Values(backend, like)?.length;
  return tensors.map((tensor) => {
    const values = float32Values(backend, tensor);
    if (!values || values.length !== size) {
      // Core's fused optimisers only call these kernels on float32 variables and gradients of one shape.
      throw new Error(`${kernelName}: every input must be a float32 tensor of the variable's size`);
    }
    return values;
  });
}

function backendOf(kernelName: string, backend: unknown): CpuBackendLike {
  const cpu = asCpuBackend(backend);
  if (!cpu) throw new Error(`${kernelName} runs on tfjs's cpu backend only`);
  return cpu;
}

function scalarOf(backend: CpuBackendLike, tensor: TensorInfo | undefined, name: string): number {
  const value = float32Values(backend, tensor)?.[0];
  if (value === undefined) throw new Error(`${FUSED_ADAM_KERNEL}: ${name} must be a float32 scalar`);
  return value;
}

/**
 * Adam in one native pass per variable: reads the variable, its gradient and both moments once and
 * writes the three new arrays, where tfjs runs ~14 kernels that each allocate a fresh array.
 */
export const adamUpdateKernel: NativeKernelDefinition = {
  kernelName: FUSED_ADAM_KERNEL,
  standalone: true,
  create: (addon) => (args) => {
    const backend = backendOf(FUSED_ADAM_KERNEL, args.backend);
    const { variable, gradient, firstMoment, secondMoment, accBeta1, accBeta2 } = args.inputs;
    if (!variable) throw new Error(`${FUSED_ADAM_KERNEL}: variable is missing`);
    const [w, g, m, v] = arraysOf(backend, FUSED_ADAM_KERNEL, variable, [variable, gradient, firstMoment, secondMoment]);
    const attrs = args.attrs as { learningRate: number; beta1: number; beta2: number; epsilon: number };
    // tfjs forms 1 - beta in float64 and rounds it once; 1 - accBeta is a float32 subtraction.
    const oneMinusAcc1 = Math.fround(1 - scalarOf(backend, accBeta1, 'accBeta1'));
    const oneMinusAcc2 = Math.fround(1 - scalarOf(backend, accBeta2, 'accBeta2'));
    const outW = new Float32Array(w!.length);
    const outM = new Float32Array(w!.length);
    const outV = new Float32Array(w!.length);
    addon.adamUpdate(w!, g!, m!, v!, outW, outM, outV, attrs.learningRate, attrs.beta1, attrs.beta2, attrs.epsilon, 1 - attrs.beta1, 1 - attrs.beta2, oneMinusAcc1, oneMinusAcc2);
    const shape = [...variable.shape];
    return [backend.makeTensorInfo(shape, 'float32', outW), backend.makeTensorInfo(shape, 'float32', outM), backend.makeTensorInfo(shape, 'float32', outV)];
  },
};

/** SGD: w - lr * g in one pass (tfjs: a Multiply and an Add, each with its own output array). */
export const sgdUpdateKernel: NativeKernelDefinition = {
  kernelName: FUSED_SGD_KERNEL,
  standalone: true,
  create: (addon) => (args) => {
    const backend = backendOf(FUSED_SGD_KERNEL, args.backend);
    const { variable, gradient } = args.inputs;
    if (!variable) throw new Error(`${FUSED_SGD_KERNEL}: variable is missing`);
    const [w, g] = arraysOf(backend, FUSED_SGD_KERNEL, variable, [variable, gradient]);
    const outW = new Float32Array(w!.length);
    addon.sgdUpdate(w!, g!, outW, -(args.attrs as { learningRate: number }).learningRate);
    return [backend.makeTensorInfo([...variable.shape], 'float32', outW)];
  },
};

/** Momentum (optionally Nesterov) in one pass per variable. */
export const momentumUpdateKernel: NativeKernelDefinition = {
  kernelName: FUSED_MOMENTUM_KERNEL,
  standalone: true,
  create: (addon) => (args) => {
    const backend = backendOf(FUSED_MOMENTUM_KERNEL, args.backend);
    const { variable, gradient, accumulation } = args.inputs;
    if (!variable) throw new Error(`${FUSED_MOMENTUM_KERNEL}: variable is missing`);
    const [w, g, acc] = arraysOf(backend, FUSED_MOMENTUM_KERNEL, variable, [variable, gradient, accumulation]);
    const attrs = args.attrs as { learningRate: number; momentum: number; useNesterov: boolean };
    const outW = new Float32Array(w!.length);
    const outAcc = new Float32Array(w!.length);
    addon.momentumUpdate(w!, g!, acc!, outW, outAcc, -attrs.learningRate, attrs.momentum, Boolean(attrs.useNesterov));
    const shape = [...variable.shape];
    return [backend.makeTensorInfo(shape, 'float32', outW), backend.makeTensorInfo(shape, 'float32', outAcc)];
  },
};

export const OPTIMIZER_KERNELS: readonly NativeKernelDefinition[] = [adamUpdateKernel, sgdUpdateKernel, momentumUpdateKernel];
