import type { KernelFunc } from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon.js';

/**
 * Builds a native kernel. `stock` is tfjs-backend-cpu's own kernel for the same name: every native
 * kernel hands cases it does not cover (other dtypes, NCHW, prelu, odd broadcasts) back to it, so
 * registering native kernels never changes which programs run, only how fast.
 */
export type NativeKernelFactory = (addon: NativeAddon, stock: KernelFunc) => KernelFunc;

export interface NativeKernelDefinition {
  kernelName: string;
  create: NativeKernelFactory;
  /**
   * True for kernels tfjs-backend-cpu does not have (the fused optimiser updates named by core):
   * they are registered without a stock fallback, and their `stock` argument throws.
   */
  standalone?: boolean;
}

export type Shape4D = [number, number, number, number];

export function isShape4D(shape: readonly number[]): shape is Shape4D {
  return shape.length === 4;
}
