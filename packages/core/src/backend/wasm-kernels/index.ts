import * as tf from '@tensorflow/tfjs';
import { fastBatchMatMulConfig, fastFusedMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { fastConv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Marks configs registered here, so a second call (or a second copy of this module) is a no-op. */
const MARK = 'distilleryWasmKernel';
type Marked = tf.KernelConfig & { [MARK]?: true };

/** Kernels tfjs-backend-wasm 4.22 lacks (conv nets and embeddings cannot train without them). */
const MISSING: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Stock kernels replaced: wrong (MaxPoolGrad), a scalar loop where XNNPACK can do the work
 * (Conv2DBackpropInput), or slow on transposed/batched operands (the matmuls).
 */
const REPLACEMENTS: ReadonlyArray<readonly [string, (stock: tf.KernelConfig) => tf.KernelConfig]> = [
  [tf.MaxPoolGrad, () => maxPoolGradConfig],
  [tf.Conv2DBackpropInput, fastConv2DBackpropInputConfig],
  [tf.BatchMatMul, fastBatchMatMulConfig],
  [tf._FusedMatMul, fastFusedMatMulConfig],
];

function registered(kernelName: string): Marked | undefined {
  // getKernel is typed non-null but returns undefined when nothing is registered.
  return tf.getKernel(kernelName, 'wasm') as Marked | undefined;
}

function install(config: tf.KernelConfig): void {
  if (registered(config.kernelName) !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({ ...config, backendName: 'wasm', [MARK]: true } as Marked);
}

/**
 * Registers the wasm gradient kernels tfjs lacks (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput, UnsortedSegmentSum), a correct MaxPoolGrad, an XNNPACK-backed
 * Conv2DBackpropInput, and BatchMatMul/_FusedMatMul that reach XNNPACK for transposed or batched
 * operands. Call it after importing
 * '@tensorflow/tfjs-backend-wasm' (its stock kernels must be registered first), before or after
 * setBackend('wasm'). Idempotent.
 */
export function registerWasmGradientKernels(): void {
  for (const config of MISSING) {
    if (registered(config.kernelName)?.[MARK] !== true) install(config);
  }
  for (const [kernelName, replace] of REPLACEMENTS) {
    const stock = registered(kernelName);
    if (stock === undefined || stock[MARK] === true) continue;
    install(replace(stock));
  }
}
