import { batchMatMulKernel } from './batch-mat-mul.js';
import { conv2DBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputKernel } from './conv2d-backprop-input.js';
import { conv2DKernel, fusedConv2DKernel } from './conv2d.js';
import { BINARY_KERNELS, UNARY_KERNELS } from './elementwise.js';
import { fusedMatMulKernel } from './fused-mat-mul.js';
import { gatherV2Kernel, unsortedSegmentSumKernel } from './gather.js';
import { tileKernel, transposeKernel } from './layout.js';
import { OPTIMIZER_KERNELS } from './optimizers.js';
import { POOL_KERNELS } from './pool.js';
import { castKernel } from './cast.js';
import { equalKernel, greaterKernel } from './compare.js';
import { maxKernel } from './reduce-max.js';
import { floorKernel, negKernel, rsqrtKernel } from './simple-js.js';
import { padV2Kernel, sliceKernel, splitVKernel } from './slicing.js';
import { softmaxKernel } from './softmax.js';
import { meanKernel, sumKernel } from './sum.js';
import type { NativeKernelDefinition } from './types.js';

export type { NativeKernelDefinition, NativeKernelFactory } from './types.js';

/** Every kernel this package registers, in registration order: replacements first, then additions. */
export const NATIVE_KERNELS: readonly NativeKernelDefinition[] = [
  batchMatMulKernel,
  fusedMatMulKernel,
  conv2DKernel,
  fusedConv2DKernel,
  conv2DBackpropInputKernel,
  conv2DBackpropFilterKernel,
  ...BINARY_KERNELS,
  ...UNARY_KERNELS,
  sumKernel,
  meanKernel,
  ...POOL_KERNELS,
  unsortedSegmentSumKernel,
  gatherV2Kernel,
  transposeKernel,
  tileKernel,
  softmaxKernel,
  negKernel,
  greaterKernel,
  equalKernel,
  castKernel,
  maxKernel,
  sliceKernel,
  splitVKernel,
  padV2Kernel,
  floorKernel,
  rsqrtKernel,
  ...OPTIMIZER_KERNELS,
];

/** The tfjs-backend-cpu kernels this package replaces (each keeps the stock one as its fallback). */
export const NATIVE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.filter((kernel) => !kernel.standalone).map((kernel) => kernel.kernelName);

/** The kernels this package adds: core's fused optimiser updates (FUSED_ADAM_KERNEL, ...). */
export const NATIVE_UPDATE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.filter((kernel) => kernel.standalone).map((kernel) => kernel.kernelName);
