import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@distillery/testkit';
import { GAN_LOSSES, discriminatorAccuracy, discriminatorLoss, generatorLoss, type GanLoss } from '../src/index.js';

interface GoldenCase {
  case: string;
  kind: GanLoss;
  real: number[];
  fake: number[];
  discriminator: number;
  generator: number;
  discriminatorGradReal: number[];
  discriminatorGradFake: number[];
  generatorGradFake: number[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/gan_golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

beforeAll(async () => {
  await useBackend('cpu');
});

function close(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(Math.abs((actual[i] as number) - e), `index ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e))));
}

describe('adversarial losses match PyTorch (float64 golden values)', () => {
  it('covers every loss kind on every constructed case', () => {
    expect(new Set(golden.cases.map((c) => c.kind))).toEqual(new Set(GAN_LOSSES));
    expect(golden.cases.length).toBe(12);
  });

  for (const g of golden.cases) {
    it(`${g.kind} on "${g.case}": values and gradients`, () => {
      const real = tf.tensor1d(g.real);
      const fake = tf.tensor1d(g.fake);
      const d = tf.tidy(() => discriminatorLoss(g.kind, real, fake).dataSync()[0] as number);
      const s = tf.tidy(() => generatorLoss(g.kind, fake).dataSync()[0] as number);
      close([d], [g.discriminator]);
      close([s], [g.generator]);
      const [dReal, dFake] = tf.tidy(() => tf.grads((r: tf.Tensor, f: tf.Tensor) => discriminatorLoss(g.kind, r, f))([real, fake]).map((t) => t.dataSync().slice()));
      const sFake = tf.tidy(() => tf.grad((f: tf.Tensor) => generatorLoss(g.kind, f))(fake).dataSync().slice());
      close(dReal as Float32Array, g.discriminatorGradReal);
      close(dFake as Float32Array, g.discriminatorGradFake);
      close(sFake, g.generatorGradFake);
      tf.dispose([real, fake]);
    });
  }
});

describe('adversarial losses: closed forms', () => {
  it('at d = 0 the logistic discriminator loss is 2 log 2 and least squares is 1/2', () => {
    const zero = tf.zeros([4]);
    expect(tf.tidy(() => discriminatorLoss('minimax', zero, zero).dataSync()[0])).toBeCloseTo(2 * Math.log(2), 6);
    expect(tf.tidy(() => discriminatorLoss('least-squares', zero, zero).dataSync()[0])).toBeCloseTo(0.5, 6);
    expect(tf.tidy(() => generatorLoss('minimax', zero).dataSync()[0])).toBeCloseTo(-Math.log(2), 6);
    expect(tf.tidy(() => generatorLoss('non-saturating', zero).dataSync()[0])).toBeCloseTo(Math.log(2), 6);
    zero.dispose();
  });

  it('the minimax student gradient saturates against a confident discriminator; the non-saturating one does not', () => {
    // d_fake = -10: D is sure the student's outputs are fake. Per-sample gradients, batch of 1.
    const fake = tf.tensor1d([-10]);
    const minimax = tf.tidy(() => tf.grad((f: tf.Tensor) => generatorLoss('minimax', f))(fake).dataSync()[0] as number);
    const nonSaturating = tf.tidy(() => tf.grad((f: tf.Tensor) => generatorLoss('non-saturating', f))(fake).dataSync()[0] as number);
    // d/dd [-softplus(d)] = -sigmoid(d) ~ -4.5e-5; d/dd softplus(-d) = -sigmoid(-d) ~ -1
    expect(minimax).toBeCloseTo(-1 / (1 + Math.exp(10)), 8);
    expect(nonSaturating).toBeCloseTo(-1 / (1 + Math.exp(-10)), 6);
    fake.dispose();
  });

  it('stays finite for extreme scores (softplus, not log of a sigmoid)', () => {
    const real = tf.tensor1d([-1e4, 1e4]);
    const fake = tf.tensor1d([1e4, -1e4]);
    for (const kind of GAN_LOSSES) {
      const values = tf.tidy(() => [discriminatorLoss(kind, real, fake), generatorLoss(kind, fake)].map((t) => t.dataSync()[0] as number));
      for (const v of values) expect(Number.isFinite(v), kind).toBe(true);
    }
    // mean softplus(1e4) terms: (1e4 + 0) / 2 twice
    expect(tf.tidy(() => discriminatorLoss('non-saturating', real, fake).dataSync()[0])).toBeCloseTo(1e4, 0);
    tf.dispose([real, fake]);
  });

  it('accuracy counts teacher scores above and student scores below the threshold', () => {
    const real = tf.tensor1d([1, -1, 2, 0.4]);
    const fake = tf.tensor1d([-1, 0.6, 0.2, -3]);
    // logistic threshold 0: real 1,2,0.4 right (3 of 4); fake -1,-3 right (2 of 4) -> 5/8
    expect(tf.tidy(() => discriminatorAccuracy('minimax', real, fake).dataSync()[0])).toBeCloseTo(5 / 8, 6);
    // least squares threshold 0.5: real 1, 2 right; fake -1, 0.2, -3 right -> 5/8
    expect(tf.tidy(() => discriminatorAccuracy('least-squares', real, fake).dataSync()[0])).toBeCloseTo(5 / 8, 6);
    tf.dispose([real, fake]);
  });
});
