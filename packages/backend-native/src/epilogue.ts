import type { TensorInfo } from '@tensorflow/tfjs';
import { float32Values, type CpuBackendLike } from './cpu-backend.js';

/** Activation codes understood by native/epilogue.h (enum dn_activation). */
const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
};

export interface Epilogue {
  bias: Float32Array | null;
  activation: number;
  alpha: number;
}

/**
 * Translates a fused kernel's bias and activation into what the addon applies in place, or null when
 * the addon cannot reproduce them (prelu, a bias that is neither a scalar nor one value per output
 * channel): the caller then runs the stock kernel.
 */
export function resolveEpilogue(
  backend: CpuBackendLike,
  bias: TensorInfo | undefined,
  activation: string | undefined,
  leakyreluAlpha: number | undefined,
  outShape: readonly number[],
): Epilogue | null {
  const code = ACTIVATION_CODES[activation ?? 'linear'];
  if (code === undefined) return null;
  // tfjs's fused ops default leakyreluAlpha to 0.2.
  const alpha = leakyreluAlpha ?? 0.2;
  if (!bias) return { bias: null, activation: code, alpha };
  const values = float32Values(backend, bias);
  const channels = outShape[outShape.length - 1] ?? 0;
  if (!values || bias.shape.length > outShape.length) return null;
  const leadingOnes = bias.shape.slice(0, -1).every((dim) => dim === 1);
  const last = bias.shape[bias.shape.length - 1] ?? 1;
  if (!leadingOnes || (last !== 1 && last !== channels)) return null;
  return { bias: values, activation: code, alpha };
}
