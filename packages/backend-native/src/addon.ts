import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions exported by native/addon.c. Every array is used in place (zero-copy). */
export interface NativeAddon {
  /** out[i] = act(op(a[i]) . op(b[i]) + bias), row-major, for i < batch; a stride of 0 broadcasts. */
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    strideA: number,
    strideB: number,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    params: Int32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, params: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, params: Int32Array): void;
  /** out = a (op) b; a and b each span out or repeat as a block that tiles it. Ops: see BINARY_OPS. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /**
   * out = a (op) b under any broadcast; geometry = [rank, dims..., aStrides..., bStrides...] with
   * innermost strides 0 or 1 (see broadcastGeometry).
   */
  binaryBroadcast(op: number, a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** out = op(x); alpha is Step's value for x <= 0. Ops: see UNARY_OPS. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** Softmax of each run of `width` floats: max (NaN wins), expf(x - max), sum in double, divide. */
  softmaxRows(x: Float32Array, out: Float32Array, width: number): void;
  /** out[o, i] = sum over r of x[o, r, i], accumulated in double. */
  reduceSum(x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  /** NHWC max/avg pooling with tfjs-backend-cpu's semantics; params from poolParams(). */
  maxPool(x: Float32Array, y: Float32Array, params: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, params: Int32Array): void;
  avgPool(x: Float32Array, y: Float32Array, params: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, params: Int32Array): void;
  /**
   * One Adam step in a single pass, as tfjs's AdamOptimizer computes it in float32; the four scalars
   * after epsilon are 1 - beta1, 1 - beta2, 1 - accBeta1 and 1 - accBeta2 (each rounded to float32).
   */
  adamUpdate(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    outW: Float32Array,
    outM: Float32Array,
    outV: Float32Array,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
  ): void;
  /** outW = negativeLearningRate * g + w */
  sgdUpdate(w: Float32Array, g: Float32Array, outW: Float32Array, negativeLearningRate: number): void;
  /** outAcc = momentum * acc + g; outW = -lr * outAcc + w (Nesterov: -lr * (g + outAcc * momentum) + w) */
  momentumUpdate(
    w: Float32Array,
    g: Float32Array,
    acc: Float32Array,
    outW: Float32Array,
    outAcc: Float32Array,
    negativeLearningRate: number,
    momentum: number,
    nesterov: boolean,
  ): void;
  /** OpenBLAS's thread count and the addon's own (direct convolutions, pooling, optimiser updates). */
  setNumThreads(threads: number): void;
  getNumThreads(): number;
  /** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Zen MAX_THREADS=64". */
  getConfig(): string;
}

/** Where `npm install` (scripts/install.mjs -> node-gyp) puts the addon; same relative path from src/ and dist/. */
export const DEFAULT_ADDON_URL = new URL('../native/build/Release/distillery_native.node', import.meta.url);

interface LoadState {
  addon: NativeAddon | null;
  path: string;
  reason: string | null;
}

let state: LoadState | undefined;

function addonPath(): string {
  return process.env.DISTILLERY_NATIVE_ADDON ?? fileURLToPath(DEFAULT_ADDON_URL);
}

function isNativeAddon(value: unknown): value is NativeAddon {
  const candidate = value as Partial<Record<keyof NativeAddon, unknown>> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.matmul === 'function' &&
    typeof candidate.conv2d === 'function' &&
    typeof candidate.conv2dBackpropInput === 'function' &&
    typeof candidate.conv2dBackpropFilter === 'function' &&
    typeof candidate.binary === 'function' &&
    typeof candidate.unary === 'function' &&
    typeof candidate.softmaxRows === 'function' &&
    typeof candidate.reduceSum === 'function' &&
    typeof candidate.maxPoolGrad === 'function' &&
    typeof candidate.adamUpdate === 'function' &&
    typeof candidate.setNumThreads === 'function'
  );
}

function load(): LoadState {
  const path = addonPath();
  if (process.env.DISTILLERY_NATIVE === '0') return { addon: null, path, reason: 'disabled by DISTILLERY_NATIVE=0' };
  if (!existsSync(path)) return { addon: null, path, reason: `addon not built (${path} is missing)` };
  try {
    // createRequire: ESM cannot import .node files, and the path must stay out of bundlers' sight.
    const loaded: unknown = createRequire(import.meta.url)(path);
    if (!isNativeAddon(loaded)) return { addon: null, path, reason: `${path} does not export the expected functions` };
    return { addon: loaded, path, reason: null };
  } catch (error) {
    // Typically libopenblas.so missing at run time after a build on another machine.
    return { addon: null, path, reason: `loading ${path} failed: ${(error as Error).message}` };
  }
}

function loadState(): LoadState {
  state ??= load();
  return state;
}

/** The loaded addon, or null when it was not built or cannot load. Tried once per process. */
export function loadNativeAddon(): NativeAddon | null {
  return loadState().addon;
}

/** True when the native addon is built and loads; no kernels are registered by this call. */
export function loadNativeKernels(): boolean {
  return loadNativeAddon() !== null;
}

export interface NativeStatus {
  available: boolean;
  /** Why the addon is unavailable, or null. */
  reason: string | null;
  addonPath: string;
  /** OpenBLAS threads in use (0 when unavailable). */
  threads: number;
  blasConfig: string | null;
}

export function nativeStatus(): NativeStatus {
  const current = loadState();
  const addon = current.addon;
  return {
    available: addon !== null,
    reason: current.reason,
    addonPath: current.path,
    threads: addon ? addon.getNumThreads() : 0,
    blasConfig: addon ? addon.getConfig() : null,
  };
}
