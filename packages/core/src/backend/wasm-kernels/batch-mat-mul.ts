import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asWasmBackend, release, reshape, transpose } from './wasm-ops.js';

/**
 * The stock wasm BatchMatMul/_FusedMatMul reach XNNPACK only for an untransposed, unbatched product;
 * any transpose flag or batch > 1 falls into a scalar loop ~15x slower. Every backward matmul is
 * transposed (dX = dY.W^T, dW = X^T.dY), so these wrappers transpose explicitly (one cheap C++ pass)
 * and run each batch slice through the stock kernel's XNNPACK path.
 */

interface Operand3 {
  /** Untransposed [batch, rows, cols] operand, owned by the caller of `prepare`. */
  info: tf.TensorInfo;
  batch: number;
}

/** Reshapes to rank 3 and, if flagged, swaps the two inner axes so the stock kernel sees no transpose. */
function prepare(backend: BackendWasm, x: tf.TensorInfo, transposed: boolean): Operand3 {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2] ?? 1;
  const cols = x.shape[rank - 1] ?? 1;
  const batch = tf.util.sizeFromShape(x.shape.slice(0, -2));
  const x3 = reshape(backend, x, [batch, rows, cols]);
  if (!transposed) return { info: x3, batch };
  const t = transpose(backend, x3, [0, 2, 1]);
  release(backend, x3);
  return { info: t, batch };
}

/** Copies batch slice i of a rank-3 tensor into a fresh [1, rows, cols] tensor (Slice would copy it all). */
function batchSlice(backend: BackendWasm, x: tf.TensorInfo, i: number): tf.TensorInfo {
  const [, rows, cols] = x.shape as [number, number, number];
  const size = rows * cols;
  const out = backend.makeOutput([1, rows, cols], x.dtype);
  backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
  return out;
}

type MatMulInputs = Record<string, tf.TensorInfo | undefined>;
type Product = (a: tf.TensorInfo, b: tf.TensorInfo) => tf.TensorInfo;

/**
 * Runs `product` (the stock kernel, untransposed) per batch slice and assembles [batch, m, n]; a batch
 * of 1 on one side is broadcast. Mismatched batches are left to the stock kernel's own check.
 */
function batched(backend: BackendWasm, a: Operand3, b: Operand3, product: Product, split: boolean): tf.TensorInfo {
  const batch = Math.max(a.batch, b.batch);
  if (!split || batch === 1 || (a.batch !== b.batch && a.batch !== 1 && b.batch !== 1)) return product(a.info, b.info);
  const m = a.info.shape[1] ?? 1;
  const n = b.info.shape[2] ?? 1;
  const out = backend.makeOutput([batch, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    const ai = a.batch === 1 ? a.info : batchSlice(backend, a.info, i);
    const bi = b.batch === 1 ? b.info : batchSlice(backend, b.info, i);
    const part = product(ai, bi);
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(part), i * m * n);
    release(backend, part);
    if (ai !== a.info) release(backend, ai);
    if (bi !== b.info) release(backend, bi);
  }
  return out;
}

/**
 * Below ~32^3 multiply-adds per batch slice the stock scalar loop beats the fixed cost of an XNNPACK
 * call (operator creation and weight packing, ~50 us); measured crossover 16-32K.
 */
const MIN_XNNPACK_MACS = 32 * 32 * 32;

/** True when the stock kernel is already as fast as we can make it. */
function stockIsBest(a: tf.TensorInfo, b: tf.TensorInfo, attrs: tf.NamedAttrMap): boolean {
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (!transposeA && !transposeB && batchA === 1 && batchB === 1) return true;
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = (transposeA ? a.shape[rankA - 1] : a.shape[rankA - 2]) ?? 1;
  const k = (transposeA ? a.shape[rankA - 2] : a.shape[rankA - 1]) ?? 1;
  const n = (transposeB ? b.shape[rankB - 2] : b.shape[rankB - 1]) ?? 1;
  return m * k * n < MIN_XNNPACK_MACS;
}

/** Output shape of the product: broadcast batch dims, then [m, n]. */
function outputShape(a: tf.TensorInfo, b: tf.TensorInfo, m: number, n: number): number[] {
  return [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
}

function wrap(stock: tf.KernelConfig, extraInputs: readonly string[], splittable: (inputs: MatMulInputs) => boolean): tf.KernelFunc {
  return (args) => {
    const inputs = args.inputs as MatMulInputs;
    const attrs = args.attrs ?? {};
    const { a, b } = inputs;
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || stockIsBest(a, b, attrs)) {
      return stock.kernelFunc(args);
    }
    const backend = asWasmBackend(args.backend);
    const a3 = prepare(backend, a, attrs['transposeA'] === true);
    const b3 = prepare(backend, b, attrs['transposeB'] === true);
    const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
    const extras: tf.NamedTensorInfoMap = {};
    for (const name of extraInputs) {
      const t = inputs[name];
      if (t !== undefined) extras[name] = t;
    }
    const product: Product = (x, y) => {
      const out = stock.kernelFunc({ inputs: { a: x, b: y, ...extras }, backend, attrs: plainAttrs });
      if (Array.isArray(out)) throw new Error(`${stock.kernelName} returned several outputs`);
      return out;
    };
    const result = batched(backend, a3, b3, product, splittable(inputs));
    release(backend, a3.info, b3.info);
    const m = a3.info.shape[1] ?? 1;
    const n = b3.info.shape[2] ?? 1;
    const shaped = reshape(backend, result, outputShape(a, b, m, n));
    release(backend, result);
    return shaped;
  };
}

export function fastBatchMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return { ...stock, kernelFunc: wrap(stock, [], () => true) };
}

/**
 * The wasm _FusedMatMul takes only a rank-1 bias, which applies to every batch slice alike; PReLU weights
 * may span the batch, so with them the batch is not split (the stock kernel still gets no transpose).
 */
export function fastFusedMatMulConfig(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: wrap(stock, ['bias', 'preluActivationWeights'], (inputs) => inputs['preluActivationWeights'] === undefined),
  };
}
