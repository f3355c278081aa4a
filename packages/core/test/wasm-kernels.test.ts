import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradientKernels } from '../src/backend/wasm-kernels/index.js';

/**
 * Every wasm kernel registered by registerWasmGradientKernels is checked against the tfjs 'cpu' backend on
 * the same inputs. Values travel between backends as plain arrays. Tolerance: max |wasm - cpu| must stay
 * within 1e-4 of max |cpu| (float32 sums in a different order differ by ~1e-7 relative to the largest
 * term, so a per-element ratio near zero-crossings would measure rounding, not correctness).
 */

const RTOL = 1e-4;

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

/** Deterministic standard-normal-ish values (mulberry32 + Box-Muller), so failures are reproducible. */
function randomValues(size: number, seed: number): number[] {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: size }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

async function onBackend<T>(name: 'cpu' | 'wasm', run: () => T): Promise<T> {
  await tf.setBackend(name);
  return run();
}

/** Runs `run` on both backends and returns [wasm, cpu] results as flat arrays. */
async function bothBackends(run: () => tf.Tensor[]): Promise<[number[][], number[][]]> {
  const flat = (): number[][] =>
    tf.tidy(() => run()).map((t) => {
      const values = Array.from(t.dataSync());
      t.dispose();
      return values;
    });
  const wasm = await onBackend('wasm', flat);
  const cpu = await onBackend('cpu', flat);
  await tf.setBackend('wasm');
  return [wasm, cpu];
}

function relativeError(actual: readonly number[], expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / Math.max(scale, 1e-30);
}

function expectSameResults(wasm: number[][], cpu: number[][]): void {
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((expected, i) => {
    const actual = wasm[i] as number[];
    expect(actual.every(Number.isFinite)).toBe(true);
    // A gradient that is identically zero would compare equal trivially; the inputs here never give one.
    expect(expected.some((v) => v !== 0)).toBe(true);
    expect(relativeError(actual, expected)).toBeLessThan(RTOL);
  });
}

function numDataIds(): number {
  return tf.engine().backend.numDataIds();
}

/** Neither the engine nor the backend may keep anything once a tidy'd gradient computation ends. */
function expectNoLeak(run: () => unknown): void {
  tf.tidy(() => {
    run();
  }); // warm-up: first calls may allocate lazily-created constants
  const tensors = tf.memory().numTensors;
  const dataIds = numDataIds();
  tf.tidy(() => {
    run();
  });
  expect(tf.memory().numTensors).toBe(tensors);
  expect(numDataIds()).toBe(dataIds);
}

beforeAll(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('registerWasmGradientKernels', () => {
  it('registers the missing kernels and replaces MaxPoolGrad/Conv2DBackpropInput/BatchMatMul/_FusedMatMul, idempotently', () => {
    const names = [
      tf.Conv2DBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropInput,
      tf.UnsortedSegmentSum,
      tf.MaxPoolGrad,
      tf.Conv2DBackpropInput,
      tf.BatchMatMul,
      tf._FusedMatMul,
    ];
    const first = names.map((name) => tf.getKernel(name, 'wasm') as tf.KernelConfig | undefined);
    expect(first.every((k) => k !== undefined)).toBe(true);
    registerWasmGradientKernels();
    const second = names.map((name) => tf.getKernel(name, 'wasm'));
    second.forEach((k, i) => expect(k).toBe(first[i]));
  });
});

describe('Conv2DBackpropFilter / Conv2DBackpropInput (the conv2d gradient)', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: number | [number, number]; pad: Pad }> = [
    { x: [2, 9, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 9, 8, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
    { x: [3, 10, 11, 2], f: [3, 3, 2, 5], s: 2, pad: 'valid' },
    { x: [2, 7, 7, 4], f: [2, 2, 4, 3], s: 3, pad: 'valid' },
    { x: [2, 12, 12, 3], f: [5, 5, 3, 2], s: 2, pad: 'same' },
    { x: [2, 11, 9, 1], f: [3, 2, 1, 6], s: [2, 1], pad: 'same' },
    { x: [2, 8, 8, 3], f: [3, 3, 3, 2], s: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { x: [2, 8, 7, 2], f: [3, 3, 2, 3], s: 2, pad: [[0, 0], [3, 0], [0, 4], [0, 0]] },
  ];
  for (const { x, f, s, pad } of cases) {
    it(`x ${x.join('x')} filter ${f.join('x')} strides ${String(s)} pad ${JSON.stringify(pad)} matches cpu`, async () => {
      const xv = randomValues(sizeOf(x), 1);
      const fv = randomValues(sizeOf(f), 2);
      const [wasm, cpu] = await bothBackends(() => {
        const xt = tf.tensor4d(xv, x);
        const ft = tf.tensor4d(fv, f);
        const outShape = tf.conv2d(xt, ft, s, pad).shape;
        const probe = tf.tensor(randomValues(sizeOf(outShape), 3), outShape);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).mul(probe).sum())([xt, ft]);
        return [dx as tf.Tensor, df as tf.Tensor];
      });
      expectSameResults(wasm, cpu);
    });
  }

  it('conv2dTranspose (a forward Conv2DBackpropInput) and its gradients match cpu', async () => {
    const xv = randomValues(2 * 5 * 4 * 3, 22);
    const fv = randomValues(3 * 3 * 6 * 3, 23);
    const [wasm, cpu] = await bothBackends(() => {
      const x = tf.tensor4d(xv, [2, 5, 4, 3]);
      const f = tf.tensor4d(fv, [3, 3, 6, 3]);
      const up = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 10, 8, 6], 2, 'same');
      const y = up(x, f);
      const probe = tf.tensor(randomValues(y.size, 24), y.shape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => up(a, b).mul(probe).sum())([x, f]);
      return [y, dx as tf.Tensor, df as tf.Tensor];
    });
    expectSameResults(wasm, cpu);
  });

  it('leaks nothing', () => {
    const x = tf.randomNormal([2, 8, 8, 3]);
    const f = tf.randomNormal([3, 3, 3, 4]);
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum())([x, f]));
    tf.dispose([x, f]);
  });
});

describe('DepthwiseConv2dNativeBackpropFilter / BackpropInput', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad }> = [
    { x: [2, 9, 8, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
    { x: [2, 9, 8, 3], f: [3, 3, 3, 2], s: 2, pad: 'same' },
    { x: [3, 10, 11, 2], f: [3, 3, 2, 3], s: 2, pad: 'valid' },
    { x: [2, 7, 7, 4], f: [2, 2, 4, 1], s: 3, pad: 'valid' },
    { x: [2, 12, 12, 3], f: [5, 5, 3, 2], s: 2, pad: 'same' },
    // Padding wider than the filter reaches: the input gradient must crop instead of pad.
    { x: [2, 8, 7, 2], f: [3, 3, 2, 2], s: 2, pad: [[0, 0], [3, 0], [0, 4], [0, 0]] },
    { x: [2, 8, 9, 3], f: [3, 3, 3, 1], s: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  ];
  for (const { x, f, s, pad } of cases) {
    it(`gradient of depthwiseConv2d x ${x.join('x')} filter ${f.join('x')} strides ${s} pad ${JSON.stringify(pad)} matches cpu`, async () => {
      const xv = randomValues(sizeOf(x), 4);
      const fv = randomValues(sizeOf(f), 5);
      const [wasm, cpu] = await bothBackends(() => {
        const xt = tf.tensor4d(xv, x);
        const ft = tf.tensor4d(fv, f);
        const outShape = tf.depthwiseConv2d(xt, ft, s, pad).shape;
        const probe = tf.tensor(randomValues(sizeOf(outShape), 6), outShape);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).mul(probe).sum())([xt, ft]);
        return [dx as tf.Tensor, df as tf.Tensor];
      });
      expectSameResults(wasm, cpu);
    });
  }

  // tf.grad of depthwiseConv2d refuses dilations > 1 and the cpu backprop kernels ignore them, so the
  // reference is the cpu gradient of the same convolution written with a zero-dilated filter
  // (dilation d == a filter with d-1 zeros between taps); its filter gradient at the taps is dW.
  const dilated: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; d: [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 11, 10, 3], f: [3, 3, 3, 2], d: [2, 2], pad: 'same' },
    { x: [2, 12, 9, 2], f: [3, 2, 2, 1], d: [3, 2], pad: 'valid' },
  ];
  for (const { x, f, d, pad } of dilated) {
    it(`kernels with dilations ${d.join(',')} pad ${pad} match the gradient of the zero-dilated filter`, async () => {
      const [fh, fw, c, m] = f;
      const effective: [number, number, number, number] = [(fh - 1) * d[0] + 1, (fw - 1) * d[1] + 1, c, m];
      const xv = randomValues(sizeOf(x), 7);
      const fv = randomValues(sizeOf(f), 8);
      const spread = new Array<number>(sizeOf(effective)).fill(0);
      const tapIndex = (i: number, j: number, k: number): number => ((i * d[0] * effective[1] + j * d[1]) * c * m) + k;
      for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) spread[tapIndex(i, j, k)] = fv[(i * fw + j) * c * m + k] as number;

      await tf.setBackend('wasm');
      const outShape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros(f) as tf.Tensor4D, 1, pad, 'NHWC', d).shape);
      const dyv = randomValues(sizeOf(outShape), 9);
      const wasm = tf.tidy(() => {
        const dy = tf.tensor(dyv, outShape);
        const attrs = { strides: 1, pad, dilations: d };
        const df = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: tf.tensor4d(xv, x), dy }, { ...attrs, filterShape: f });
        const dx = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: tf.tensor4d(fv, f) }, { ...attrs, inputShape: x });
        return [Array.from((df as tf.Tensor).dataSync()), Array.from((dx as tf.Tensor).dataSync())];
      });
      await tf.setBackend('cpu');
      const reference = tf.tidy(() => {
        const dy = tf.tensor(dyv, outShape);
        const [dx, dSpread] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad).mul(dy).sum())([
          tf.tensor4d(xv, x),
          tf.tensor4d(spread, effective),
        ]);
        const full = Array.from((dSpread as tf.Tensor).dataSync());
        const df: number[] = [];
        for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) df.push(full[tapIndex(i, j, k)] as number);
        return [df, Array.from((dx as tf.Tensor).dataSync())];
      });
      await tf.setBackend('wasm');
      expectSameResults(wasm, reference);
    });
  }

  it('leaks nothing', () => {
    const x = tf.randomNormal([2, 8, 8, 3]);
    const f = tf.randomNormal([3, 3, 3, 2]);
    expectNoLeak(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum())([x, f]),
    );
    tf.dispose([x, f]);
  });
});

describe('UnsortedSegmentSum', () => {
  it('sums rows by segment id and drops ids outside [0, numSegments), like cpu', async () => {
    const xv = randomValues(7 * 3 * 2, 10);
    const ids = [2, 0, 2, 5, 1, 0, 9];
    const [wasm, cpu] = await bothBackends(() => [
      tf.unsortedSegmentSum(tf.tensor3d(xv, [7, 3, 2]), tf.tensor1d(ids, 'int32'), 6),
      tf.unsortedSegmentSum(tf.tensor1d(xv.slice(0, 7)), tf.tensor1d(ids, 'int32'), 4),
    ]);
    expectSameResults(wasm, cpu);
    // Analytic check on the rank-1 case: segment 0 = x1 + x5, segment 2 = x0 + x2, segment 3 empty.
    const x = xv.slice(0, 7) as number[];
    const [s0, s1, s2, s3] = wasm[1] as [number, number, number, number];
    expect(s0).toBeCloseTo((x[1] as number) + (x[5] as number), 5);
    expect(s1).toBeCloseTo(x[4] as number, 5);
    expect(s2).toBeCloseTo((x[0] as number) + (x[2] as number), 5);
    expect(s3).toBe(0);
  });

  it('sums int32 values exactly', async () => {
    await tf.setBackend('wasm');
    const out = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.dataSync())).toEqual([5, 6, 4, 6]);
    out.dispose();
  });

  it('is the gradient of gather (embedding lookups, 2-D ids, axis 0 and 1)', async () => {
    const table = randomValues(11 * 4, 11);
    const ids = [3, 3, 0, 10, 7, 3, 1, 0];
    const [wasm, cpu] = await bothBackends(() => {
      const probe = tf.tensor(randomValues(8 * 4, 12), [2, 4, 4]);
      const rows = tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor2d(ids, [2, 4], 'int32')).mul(probe).sum())(tf.tensor2d(table, [11, 4]));
      const colProbe = tf.tensor(randomValues(4 * 3, 13), [4, 3]);
      const cols = tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'), 1).mul(colProbe).sum())(tf.tensor2d(table.slice(0, 16), [4, 4]));
      return [rows, cols];
    });
    expectSameResults(wasm, cpu);
    // Row 3 was looked up three times, so its gradient is the sum of three probe rows.
    const probe = randomValues(8 * 4, 12);
    const row3 = (wasm[0] as number[]).slice(12, 16);
    row3.forEach((g, j) => expect(g).toBeCloseTo((probe[j] as number) + (probe[4 + j] as number) + (probe[20 + j] as number), 5));
  });

  it('leaks nothing', () => {
    const table = tf.randomNormal([20, 8]);
    const ids = tf.tensor1d([1, 5, 5, 19], 'int32');
    expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.gather(t, ids).sum())(table));
    tf.dispose([table, ids]);
  });
});

describe('MaxPoolGrad', () => {
  it('sends the gradient to the maximum of a window whose values are all negative', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([-1, -2, -3, -0.5], [1, 2, 2, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').sum())(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 1]);
    tf.dispose([x, g]);
  });

  const cases: Array<{ x: [number, number, number, number]; k: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' }> = [
    { x: [2, 8, 8, 3], k: 2, s: 2, pad: 'valid' },
    { x: [2, 9, 7, 3], k: 2, s: 2, pad: 'same' },
    { x: [3, 9, 9, 2], k: 3, s: 2, pad: 'same' },
    { x: [2, 7, 8, 4], k: 3, s: 1, pad: 'valid' },
    { x: [2, 10, 9, 2], k: [3, 2], s: [2, 3], pad: 'same' },
  ];
  for (const { x, k, s, pad } of cases) {
    it(`x ${x.join('x')} window ${String(k)} strides ${String(s)} pad ${pad} matches cpu (negative windows, ties)`, async () => {
      // Shifted down so many windows hold only negatives; rounding to 0.5 creates ties (first one wins).
      const xv = randomValues(sizeOf(x), 14).map((v) => Math.round(2 * v - 2) / 2);
      const [wasm, cpu] = await bothBackends(() => {
        const xt = tf.tensor4d(xv, x);
        const outShape = tf.maxPool(xt, k, s, pad).shape;
        const probe = tf.tensor(randomValues(sizeOf(outShape), 15), outShape);
        return [tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, k, s, pad).mul(probe).sum())(xt)];
      });
      expectSameResults(wasm, cpu);
    });
  }

  it('leaks nothing', () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'same').sum())(x));
    x.dispose();
  });
});

describe('BatchMatMul / _FusedMatMul replacements', () => {
  // Sizes on both sides of the 32^3 threshold below which the stock kernel is kept.
  // tfjs's matMul gradient does not reduce broadcast batch dimensions (on any backend), so broadcast
  // cases compare values only.
  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [40, 50], b: [50, 30], ta: false, tb: false },
    { a: [50, 40], b: [50, 30], ta: true, tb: false },
    { a: [40, 50], b: [30, 50], ta: false, tb: true },
    { a: [50, 40], b: [30, 50], ta: true, tb: true },
    { a: [3, 40, 50], b: [3, 50, 30], ta: false, tb: false },
    { a: [3, 50, 40], b: [3, 30, 50], ta: true, tb: true },
    { a: [2, 2, 40, 50], b: [50, 30], ta: false, tb: false },
    { a: [40, 50], b: [3, 30, 50], ta: false, tb: true },
    { a: [5, 4, 6], b: [5, 7, 6], ta: false, tb: true },
    { a: [4, 6], b: [7, 6], ta: false, tb: true },
  ];
  for (const { a, b, ta, tb } of cases) {
    it(`matMul ${a.join('x')}${ta ? '^T' : ''} . ${b.join('x')}${tb ? '^T' : ''}: values${a.length === b.length ? ' and gradients' : ''} match cpu`, async () => {
      const av = randomValues(sizeOf(a), 16);
      const bv = randomValues(sizeOf(b), 17);
      const [wasm, cpu] = await bothBackends(() => {
        const at = tf.tensor(av, a);
        const bt = tf.tensor(bv, b);
        const y = tf.matMul(at, bt, ta, tb);
        if (a.length !== b.length) return [y];
        const probe = tf.tensor(randomValues(y.size, 18), y.shape);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).mul(probe).sum())([at, bt]);
        return [y, da as tf.Tensor, db as tf.Tensor];
      });
      expectSameResults(wasm, cpu);
    });
  }

  it('fused matMul with transposes, bias and relu matches cpu', async () => {
    const av = randomValues(3 * 50 * 40, 19);
    const bv = randomValues(3 * 30 * 50, 20);
    const biasv = randomValues(30, 21);
    const [wasm, cpu] = await bothBackends(() => {
      const a = tf.tensor3d(av, [3, 50, 40]);
      const b = tf.tensor3d(bv, [3, 30, 50]);
      const bias = tf.tensor1d(biasv);
      return [
        tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu' }),
        // Rank 2 with a linear activation; outside a gradient tape, so the fused kernel itself runs.
        tf.fused.matMul({ a: tf.tensor2d(av.slice(0, 2000), [50, 40]), b: tf.tensor2d(bv.slice(0, 1500), [30, 50]), transposeA: true, transposeB: true, bias }),
      ];
    });
    expectSameResults(wasm, cpu);
  });

  it('leaks nothing', () => {
    const a = tf.randomNormal([3, 50, 40]);
    const b = tf.randomNormal([3, 30, 50]);
    expectNoLeak(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, true, true).sum())([a, b]));
    tf.dispose([a, b]);
  });
});
