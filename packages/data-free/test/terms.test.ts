import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@distillery/testkit';
import {
  activationLoss,
  batchNormStatisticLoss,
  discrepancy,
  imageL2,
  informationEntropyLoss,
  oneHotLoss,
  roll,
  totalVariationL1,
  totalVariationL2,
} from '../src/index.js';

/** Golden values and input gradients from PyTorch 1.13 (fixtures/make_goldens.py, float64, official formulas). */
const goldens = JSON.parse(readFileSync(new URL('./fixtures/goldens.json', import.meta.url), 'utf8')) as {
  cases: Record<string, Record<string, number | number[]>>;
};
/** one golden case; `get` is typed as both number and number[] since a key holds one or the other */
const g = (name: string) => {
  const values = goldens.cases[name];
  if (!values) throw new Error(`no golden case "${name}"`);
  return {
    get(key: string): number & number[] {
      if (!(key in values)) throw new Error(`golden case "${name}" has no "${key}"`);
      return values[key] as number & number[];
    },
  };
};

beforeAll(async () => {
  await useBackend('cpu');
});

/** value and gradient of a scalar function at a tensor, as plain numbers */
function valueAndGrad(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor): { value: number; grad: number[] } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(x);
    return { value: value.dataSync()[0] as number, grad: Array.from(grad.dataSync()) };
  });
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - (expected[i] as number))));
  expect(worst / scale).toBeLessThan(tolerance);
}

describe('DAFL loss terms match the official code (PyTorch goldens)', () => {
  const c = g('dafl');
  const logits = () => tf.tensor2d(c.get('logits'), c.get('logitsShape') as unknown as [number, number]);

  it('one-hot loss: CE against the teacher\'s own argmax, pseudo-label constant', () => {
    const { value, grad } = valueAndGrad((x) => oneHotLoss(x as tf.Tensor2D), logits());
    expect(value).toBeCloseTo(c.get('oneHot'), 5);
    expectClose(grad, c.get('gradOneHot'));
  });

  it('activation loss: -mean |f|', () => {
    const features = tf.tensor2d(c.get('features'), c.get('featuresShape') as unknown as [number, number]);
    const { value, grad } = valueAndGrad((x) => activationLoss(x), features);
    expect(value).toBeCloseTo(c.get('activation'), 6);
    expectClose(grad, c.get('gradActivation'));
  });

  it('information-entropy loss: sum pbar log10 pbar of the batch-mean prediction', () => {
    const { value, grad } = valueAndGrad((x) => informationEntropyLoss(x as tf.Tensor2D), logits());
    expect(value).toBeCloseTo(c.get('informationEntropy'), 5);
    expectClose(grad, c.get('gradEntropy'));
  });

  it('analytic: a batch spread evenly over K classes gives -log10 K; one class gives 0', () => {
    const even = tf.tidy(() => informationEntropyLoss(tf.mul(tf.eye(4), 30) as tf.Tensor2D).dataSync()[0] as number);
    const single = tf.tidy(() => informationEntropyLoss(tf.tensor2d([[40, 0, 0], [40, 0, 0]]) as tf.Tensor2D).dataSync()[0] as number);
    expect(even).toBeCloseTo(-Math.log10(4), 5);
    expect(single).toBeCloseTo(0, 5);
    // a confident logit row has a one-hot loss near 0; a flat row log K
    const flat = tf.tidy(() => oneHotLoss(tf.zeros([3, 5]) as tf.Tensor2D).dataSync()[0] as number);
    expect(flat).toBeCloseTo(Math.log(5), 5);
  });
});

describe('DFAD / ZSKT discrepancies (PyTorch goldens)', () => {
  const c = g('discrepancy');
  const teacher = () => tf.tensor2d(c.get('teacher'), [6, 4]);
  it('l1: F.l1_loss(s_logit, t_logit)', () => {
    const { value, grad } = valueAndGrad((s) => discrepancy('l1', s as tf.Tensor2D, teacher()), tf.tensor2d(c.get('student'), [6, 4]));
    expect(value).toBeCloseTo(c.get('l1'), 5);
    expectClose(grad, c.get('gradL1'));
  });
  it('kl: DAFL\'s kdloss, KL(softmax t || softmax s) summed / batch', () => {
    const { value, grad } = valueAndGrad((s) => discrepancy('kl', s as tf.Tensor2D, teacher()), tf.tensor2d(c.get('student'), [6, 4]));
    expect(value).toBeCloseTo(c.get('kl'), 5);
    expectClose(grad, c.get('gradKl'));
  });
});

describe('DeepInversion terms (PyTorch goldens, NCHW converted to channels-last)', () => {
  const c = g('priors');
  const images = () => tf.tensor4d(c.get('images'), c.get('shape') as unknown as [number, number, number, number]);
  it('total variation L2: sum of the four neighbour-difference norms', () => {
    const { value, grad } = valueAndGrad((x) => totalVariationL2(x as tf.Tensor4D), images());
    expect(value).toBeCloseTo(c.get('tvL2'), 4);
    expectClose(grad, c.get('gradTvL2'));
  });
  it('total variation L1: sum of the four mean absolute differences', () => {
    const { value, grad } = valueAndGrad((x) => totalVariationL1(x as tf.Tensor4D), images());
    expect(value).toBeCloseTo(c.get('tvL1'), 5);
    expectClose(grad, c.get('gradTvL1'));
  });
  it('l2: mean per-image norm', () => {
    const { value, grad } = valueAndGrad((x) => imageL2(x), images());
    expect(value).toBeCloseTo(c.get('l2'), 4);
    expectClose(grad, c.get('gradL2'));
  });
  it('batch-norm statistic loss: ||var - running var|| + ||mean - running mean||', () => {
    const b = g('batchNorm');
    const mean = tf.tensor1d(b.get('runningMean'));
    const variance = tf.tensor1d(b.get('runningVar'));
    const { value, grad } = valueAndGrad((x) => batchNormStatisticLoss(x, mean, variance), tf.tensor4d(b.get('input'), b.get('shape') as unknown as [number, number, number, number]));
    expect(value).toBeCloseTo(b.get('rFeature'), 5);
    expectClose(grad, b.get('grad'));
  });
  it('analytic: zero when the batch has exactly the running statistics', () => {
    // channel 0 takes values {-1, 3} equally: mean 1, biased variance 4
    const input = tf.tensor2d([[-1], [3], [-1], [3]]);
    const value = tf.tidy(() => batchNormStatisticLoss(input, tf.tensor1d([1]), tf.tensor1d([4])).dataSync()[0] as number);
    expect(value).toBeLessThan(2e-6);
    const off = tf.tidy(() => batchNormStatisticLoss(input, tf.tensor1d([0]), tf.tensor1d([1])).dataSync()[0] as number);
    expect(off).toBeCloseTo(3 + 1, 5);
  });
  it('roll shifts circularly like torch.roll over height and width', () => {
    const x = tf.tensor4d(Array.from({ length: 12 }, (_, i) => i), [1, 3, 4, 1]);
    const rolled = roll(x, 1, -1).reshape([3, 4]).arraySync();
    // row r, column c of the result is x[(r - 1) mod 3][(c + 1) mod 4]
    expect(rolled).toEqual([
      [9, 10, 11, 8],
      [1, 2, 3, 0],
      [5, 6, 7, 4],
    ]);
  });
});
