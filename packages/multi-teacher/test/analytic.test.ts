import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@distillery/testkit';
import { confidenceWeights, randomTeacherIndex, responseTerm, teacherCrossEntropies, createRegressor } from '../src/index.js';

// Hand computations in float64 JS, independent of tfjs.
const softmax = (z: readonly number[], t = 1): number[] => {
  const m = Math.max(...z.map((v) => v / t));
  const e = z.map((v) => Math.exp(v / t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const kl = (p: readonly number[], q: readonly number[]): number => p.reduce((sum, pc, c) => sum + pc * (Math.log(pc) - Math.log(q[c] as number)), 0);
const entropy = (p: readonly number[]): number => -p.reduce((sum, pc) => sum + pc * Math.log(pc), 0);

// Two samples, three classes, two teachers that disagree: the geometric and the arithmetic pool differ.
const T = 2;
const teacherA = [
  [4, 0, -1],
  [0.5, 2, 0],
];
const teacherB = [
  [-1, 3, 0],
  [0, 0, 5],
];
const student = [
  [0.2, 0.1, -0.3],
  [1, -1, 0.5],
];
const labels = [0, 2];

async function term(aggregation: 'mean-logits' | 'mean-kl' | 'weights' | 'ca-mkd' | 'random', teachers: number[][][], weights?: number[]): Promise<number> {
  const value = tf.tidy(() =>
    responseTerm({
      aggregation,
      teacherLogits: teachers.map((z) => tf.tensor2d(z)),
      studentLogits: tf.tensor2d(student),
      labels: tf.tensor1d(labels, 'int32'),
      temperature: T,
      ...(weights ? { weights } : {}),
    }),
  );
  const [result] = await value.data();
  value.dispose();
  return result as number;
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('mean-logits vs mean-kl', () => {
  const handMeanLogits = (): number => {
    let sum = 0;
    student.forEach((zs, i) => {
      const mean = (teacherA[i] as number[]).map((a, c) => (a + (teacherB[i] as number[])[c]!) / 2);
      sum += kl(softmax(mean, T), softmax(zs, T));
    });
    return (T * T * sum) / student.length;
  };
  const handMeanKl = (): number => {
    let sum = 0;
    student.forEach((zs, i) => {
      const q = softmax(zs, T);
      sum += (kl(softmax(teacherA[i] as number[], T), q) + kl(softmax(teacherB[i] as number[], T), q)) / 2;
    });
    return (T * T * sum) / student.length;
  };

  it('mean-logits is T^2 KL(softmax(mean z / T) || p_s), by hand', async () => {
    expect(await term('mean-logits', [teacherA, teacherB])).toBeCloseTo(handMeanLogits(), 5);
  });

  it('mean-kl is T^2 mean_k KL(p_k || p_s), by hand', async () => {
    expect(await term('mean-kl', [teacherA, teacherB])).toBeCloseTo(handMeanKl(), 5);
  });

  it('the two differ when the teachers disagree', async () => {
    const difference = Math.abs((await term('mean-logits', [teacherA, teacherB])) - (await term('mean-kl', [teacherA, teacherB])));
    expect(difference).toBeGreaterThan(0.1);
  });

  it('mean-kl = KL(arithmetic mixture || p_s) + the teachers\' Jensen-Shannon divergence (Jensen: >= 0)', () => {
    let viaMixture = 0;
    let jensenShannon = 0;
    student.forEach((zs, i) => {
      const pA = softmax(teacherA[i] as number[], T);
      const pB = softmax(teacherB[i] as number[], T);
      const mixture = pA.map((a, c) => (a + pB[c]!) / 2);
      viaMixture += kl(mixture, softmax(zs, T));
      const js = entropy(mixture) - (entropy(pA) + entropy(pB)) / 2;
      expect(js).toBeGreaterThan(0);
      jensenShannon += js;
    });
    expect((T * T * (viaMixture + jensenShannon)) / student.length).toBeCloseTo(handMeanKl(), 10);
  });

  it('mean-kl pulls the student towards the arithmetic mixture, mean-logits towards the geometric pool (gradients)', () => {
    const gradientOf = (aggregation: 'mean-kl' | 'mean-logits'): number[][] =>
      tf.tidy(() => {
        const grad = tf.grad((zs: tf.Tensor) =>
          responseTerm({ aggregation, teacherLogits: [tf.tensor2d(teacherA), tf.tensor2d(teacherB)], studentLogits: zs as tf.Tensor2D, labels: tf.tensor1d(labels, 'int32'), temperature: T }),
        );
        return grad(tf.tensor2d(student)).arraySync() as number[][];
      });
    // d/dz_s of T^2 KL(target || softmax(z_s / T)), batch-mean, is T (q_s - target) / B
    const expected = (target: (i: number) => number[]): number[][] =>
      student.map((zs, i) => softmax(zs, T).map((q, c) => (T * (q - target(i)[c]!)) / student.length));
    const mixture = (i: number): number[] => softmax(teacherA[i] as number[], T).map((a, c) => (a + softmax(teacherB[i] as number[], T)[c]!) / 2);
    const geometric = (i: number): number[] => softmax((teacherA[i] as number[]).map((a, c) => (a + (teacherB[i] as number[])[c]!) / 2), T);
    const check = (actual: number[][], wanted: number[][]): void => actual.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo(wanted[i]![c]!, 5)));
    check(gradientOf('mean-kl'), expected(mixture));
    check(gradientOf('mean-logits'), expected(geometric));
  });

  it('weights: T^2 sum_k w_k KL(p_k || p_s), by hand; a one-hot weight is single-teacher KD', async () => {
    let sum = 0;
    student.forEach((zs, i) => {
      const q = softmax(zs, T);
      sum += 0.3 * kl(softmax(teacherA[i] as number[], T), q) + 0.7 * kl(softmax(teacherB[i] as number[], T), q);
    });
    expect(await term('weights', [teacherA, teacherB], [0.3, 0.7])).toBeCloseTo((T * T * sum) / 2, 5);
    expect(await term('weights', [teacherA, teacherB], [0, 1])).toBeCloseTo(await term('random', [teacherB]), 6);
  });
});

describe('CA-MKD confidence weights', () => {
  const ce = (z: readonly number[], y: number): number => -Math.log(softmax(z)[y] as number);

  it('follow w_k = (1 - softmax_k(CE_k)) / (K - 1), sum to 1 per sample and favour the right teacher', async () => {
    const weights = tf.tidy(() => confidenceWeights(teacherCrossEntropies([tf.tensor2d(teacherA), tf.tensor2d(teacherB)], tf.tensor1d(labels, 'int32'))));
    const rows = (await weights.array()) as number[][];
    weights.dispose();
    rows.forEach((row, i) => {
      const ceA = ce(teacherA[i] as number[], labels[i] as number);
      const ceB = ce(teacherB[i] as number[], labels[i] as number);
      const wA = 1 - Math.exp(ceA) / (Math.exp(ceA) + Math.exp(ceB));
      expect(row[0]).toBeCloseTo(wA, 5);
      expect(row[1]).toBeCloseTo(1 - wA, 5);
      expect(row[0]! + row[1]!).toBeCloseTo(1, 6);
    });
    // sample 0 has label 0: teacher A (logit 4 on class 0) is right, B (3 on class 1) is wrong
    expect(rows[0]![0]).toBeGreaterThan(0.9);
    // sample 1 has label 2: B (5 on class 2) is right
    expect(rows[1]![1]).toBeGreaterThan(0.9);
  });

  it('with three teachers each row sums to 1 and the order follows the cross-entropies', async () => {
    const third = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    const weights = tf.tidy(() => confidenceWeights(teacherCrossEntropies([teacherA, teacherB, third].map((z) => tf.tensor2d(z)), tf.tensor1d(labels, 'int32'))));
    const rows = (await weights.array()) as number[][];
    weights.dispose();
    rows.forEach((row, i) => {
      const ces = [teacherA, teacherB, third].map((z) => ce(z[i] as number[], labels[i] as number));
      const soft = softmax(ces);
      row.forEach((w, k) => expect(w).toBeCloseTo((1 - soft[k]!) / 2, 5));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    });
    // sample 0: A right, uniform middle, B wrong
    expect(rows[0]![0]).toBeGreaterThan(rows[0]![2]!);
    expect(rows[0]![2]).toBeGreaterThan(rows[0]![1]!);
  });

  it('the ca-mkd response term is T^2 mean_i sum_k w_ik KL_ik, by hand', async () => {
    let sum = 0;
    student.forEach((zs, i) => {
      const q = softmax(zs, T);
      const ceA = ce(teacherA[i] as number[], labels[i] as number);
      const ceB = ce(teacherB[i] as number[], labels[i] as number);
      const wA = 1 - Math.exp(ceA) / (Math.exp(ceA) + Math.exp(ceB));
      sum += wA * kl(softmax(teacherA[i] as number[], T), q) + (1 - wA) * kl(softmax(teacherB[i] as number[], T), q);
    });
    expect(await term('ca-mkd', [teacherA, teacherB])).toBeCloseTo((T * T * sum) / 2, 5);
  });
});

describe('random teacher draws', () => {
  it('are a pure function of (seed, step) and cover every teacher about equally', () => {
    const counts = [0, 0, 0];
    for (let step = 0; step < 3000; step++) {
      const k = randomTeacherIndex(7, step, 3);
      expect(randomTeacherIndex(7, step, 3)).toBe(k);
      counts[k]! += 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(900);
    const otherSeed = Array.from({ length: 50 }, (_, step) => randomTeacherIndex(8, step, 3));
    const sameSeed = Array.from({ length: 50 }, (_, step) => randomTeacherIndex(7, step, 3));
    expect(otherSeed).not.toEqual(sameSeed);
  });
});

describe('feature regressor', () => {
  it('maps image features to the teacher map size (pooling, bilinear) and vectors to any shape', () => {
    const cases: [number[], number[]][] = [
      [[8, 8, 4], [4, 4, 6]],
      [[6, 6, 4], [4, 4, 2]],
      [[5], [3, 3, 2]],
      [[2, 2, 3], [7]],
    ];
    for (const [from, to] of cases) {
      const regressor = createRegressor(from, to, { seed: 1, activation: 'relu' });
      const out = tf.tidy(() => regressor.apply(tf.ones([2, ...from])));
      expect(out.shape).toEqual([2, ...to]);
      expect(out.min().arraySync()).toBeGreaterThanOrEqual(0);
      out.dispose();
      regressor.dispose();
    }
  });

  it('is a per-pixel linear map after 2x2 average pooling (hand check)', async () => {
    const regressor = createRegressor([2, 2, 1], [1, 1, 1], { seed: 3, activation: 'linear' });
    const { kernel, bias } = regressor.variables();
    await bias!.assign(tf.tensor1d([0.5]));
    const out = tf.tidy(() => regressor.apply(tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1])));
    const k = (await kernel!.data())[0] as number;
    expect((await out.data())[0]).toBeCloseTo(3 * k + 0.5, 5);
    out.dispose();
    regressor.dispose();
  });
});
