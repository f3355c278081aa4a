import { Add, Erf, Exp, Multiply, RealDiv, Relu, Sqrt, Square, Step, Sub, util } from '@tensorflow/tfjs';
import { asCpuBackend, float32Values } from '../cpu-backend.js';
import { broadcastGeometry, broadcastShapeOf } from './broadcast-geometry.js';
import type { NativeKernelDefinition } from './types.js';

/** Op codes of native/elementwise.c. */
const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3 } as const;
const UNARY_OPS = { sqrt: 0, square: 1, relu: 2, step: 3, exp: 4, erf: 5 } as const;

/**
 * Below this many output elements the stock JS kernel is as fast as crossing into native code, and
 * scalar bookkeeping (learning rates, loss means) stays on the exact stock path.
 */
export const MIN_NATIVE_ELEMENTS = 1024;

/**
 * Broadcasts other than "repeat a block" go native from this size: the stock kernel maps every
 * output index to both operands' coordinates (~0.4 us per element), e.g. 2 ms per step on the
 * [128, 10] - [128, 1] subtractions of a log-softmax.
 */
export const MIN_NATIVE_BROADCAST_ELEMENTS = 16;

/** True when `shape` fills `outShape` as one contiguous block repeated (a scalar, a bias row, or the same shape). */
function tilesOutput(shape: readonly number[], outShape: readonly number[]): boolean {
  const size = util.sizeFromShape([...shape]);
  if (size === 1 || size === util.sizeFromShape([...outShape])) return true;
  const firstNonOne = shape.findIndex((dim) => dim !== 1);
  const core = shape.slice(firstNonOne);
  const trailing = outShape.slice(outShape.length - core.length);
  return core.length <= outShape.length && core.every((dim, i) => dim === trailing[i]);
}

function binaryKernel(kernelName: string, op: number): NativeKernelDefinition {
  return {
    kernelName,
    create: (addon, stock) => (args) => {
      const backend = asCpuBackend(args.backend);
      const { a, b } = args.inputs;
      if (!backend || !a || !b) return stock(args);
      const aValues = float32Values(backend, a);
      const bValues = float32Values(backend, b);
      if (!aValues || !bValues) return stock(args);
      const outShape = broadcastShapeOf(a.shape, b.shape);
      if (!outShape) return stock(args); // rethrown there with tfjs's own message
      const size = util.sizeFromShape(outShape);
      const tiles = tilesOutput(a.shape, outShape) && tilesOutput(b.shape, outShape);
      if (size < (tiles ? MIN_NATIVE_ELEMENTS : MIN_NATIVE_BROADCAST_ELEMENTS)) return stock(args);
      const out = new Float32Array(size);
      if (tiles) {
        addon.binary(op, aValues, bValues, out);
      } else {
        addon.binaryBroadcast(op, aValues, bValues, out, broadcastGeometry(a.shape, b.shape, outShape));
      }
      return backend.makeTensorInfo(outShape, 'float32', out);
    },
  };
}

function unaryKernel(kernelName: string, op: number): NativeKernelDefinition {
  return {
    kernelName,
    create: (addon, stock) => (args) => {
      const backend = asCpuBackend(args.backend);
      const { x } = args.inputs;
      if (!backend || !x) return stock(args);
      const values = float32Values(backend, x);
      if (!values || values.length < MIN_NATIVE_ELEMENTS) return stock(args);
      const alpha = typeof args.attrs?.alpha === 'number' ? args.attrs.alpha : 0;
      const out = new Float32Array(values.length);
      addon.unary(op, values, out, alpha);
      return backend.makeTensorInfo([...x.shape], 'float32', out);
    },
  };
}

/** Add, Sub, Multiply, RealDiv: the bulk of an Adam update and of bias adds. */
export const BINARY_KERNELS: readonly NativeKernelDefinition[] = [
  binaryKernel(Add, BINARY_OPS.add),
  binaryKernel(Sub, BINARY_OPS.sub),
  binaryKernel(Multiply, BINARY_OPS.mul),
  binaryKernel(RealDiv, BINARY_OPS.div),
];

/**
 * Sqrt and Square (Adam), Relu and Step (ReLU forward and its gradient), Exp (log-softmax and its
 * gradient: MiniLM's relation KL runs 8 on [32, 4, 64, 64] per step, 14 ms each as a JS loop), Erf
 * (GELU: the stock kernel's Abramowitz-Stegun formula in double, 10 ms per [32, 64, 128] in JS).
 */
export const UNARY_KERNELS: readonly NativeKernelDefinition[] = [
  unaryKernel(Sqrt, UNARY_OPS.sqrt),
  unaryKernel(Square, UNARY_OPS.square),
  unaryKernel(Relu, UNARY_OPS.relu),
  unaryKernel(Step, UNARY_OPS.step),
  unaryKernel(Exp, UNARY_OPS.exp),
  unaryKernel(Erf, UNARY_OPS.erf),
];
