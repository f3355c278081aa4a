import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '@distillery/core';
import { useBackend } from '@distillery/testkit';
import { deepMutualLearning, ensembleOnline } from '../src/index.js';
import { PROGRESS, SGD, blobs, contextFor, firstBatch, releaseBatch, twoPeers } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Reference arithmetic in float64, independent of tfjs. */
function softmax(row: readonly number[], t = 1): number[] {
  const scaled = row.map((v) => v / t);
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
const kl = (p: readonly number[], q: readonly number[]): number => p.reduce((s, pi, i) => s + (pi > 0 ? pi * Math.log(pi / (q[i] as number)) : 0), 0);
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

async function logitsOf(model: { predictLogits(x: tf.Tensor): tf.Tensor2D }, batch: Batch): Promise<number[][]> {
  const logits = model.predictLogits(batch.x);
  const rows = (await logits.array()) as number[][];
  logits.dispose();
  return rows;
}

describe('objectives match hand computation', () => {
  it('dml: L_0 = CE + T^2 KL(p_1 || p_0) at T = 2', async () => {
    const dataset = blobs(12);
    const peers = twoPeers(12);
    const scheme = deepMutualLearning({ peers, optimizer: SGD, temperature: 2, mimicryWeight: 0.5 });
    const batch = firstBatch(dataset, 8);
    await scheme.prepare(contextFor(dataset), batch);
    const [z0, z1] = [await logitsOf(peers[0], batch), await logitsOf(peers[1], batch)];
    const labels = Array.from(await batch.y.data());
    const ce = mean(z0.map((row, i) => -Math.log(softmax(row)[labels[i] as number] as number)));
    const mimicry = 4 * mean(z0.map((row, i) => kl(softmax(z1[i] as number[], 2), softmax(row, 2))));
    const objective = tf.tidy(() => {
      const { total, terms } = scheme.learnerObjective(0, batch, PROGRESS);
      return [total, terms['ce'], terms['kl']].map((t) => (t as tf.Scalar).dataSync()[0] as number);
    });
    expect(objective[1]).toBeCloseTo(ce, 5);
    expect(objective[2]).toBeCloseTo(mimicry, 5);
    expect(objective[0]).toBeCloseTo(ce + 0.5 * mimicry, 5);
    releaseBatch(batch);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });

  it('ensemble-online: peer i distils T^2 KL(softmax(mean z / T) || softmax(z_i / T))', async () => {
    const dataset = blobs(13);
    const peers = twoPeers(13);
    const scheme = ensembleOnline({ peers, optimizer: SGD, temperature: 3 });
    const batch = firstBatch(dataset, 8);
    scheme.prepare(contextFor(dataset), batch);
    const [z0, z1] = [await logitsOf(peers[0], batch), await logitsOf(peers[1], batch)];
    const ensemble = z0.map((row, i) => row.map((v, c) => (v + (z1[i]?.[c] as number)) / 2));
    const expected = 9 * mean(z1.map((row, i) => kl(softmax(ensemble[i] as number[], 3), softmax(row, 3))));
    const kd = tf.tidy(() => scheme.peerObjective(1, batch, PROGRESS).terms['kd']!.dataSync()[0] as number);
    expect(kd).toBeCloseTo(expected, 5);
    // the ensemble the scheme evaluates is the same mean of logits
    const evaluated = await logitsOf(scheme.evaluationModels()['ensemble']!, batch);
    expect(Math.max(...evaluated.flatMap((row, i) => row.map((v, c) => Math.abs(v - (ensemble[i]?.[c] as number)))))).toBeLessThan(1e-5);
    releaseBatch(batch);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });
});
