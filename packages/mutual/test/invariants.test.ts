import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch, Objective, TrainableModel } from '@distillery/core';
import { tinyDenseModel, tinyTeacher, useBackend } from '@distillery/testkit';
import { bdkdOnline, deepMutualLearning, ensembleOnline, offlineOnline } from '../src/index.js';
import { PROGRESS, SGD, blobs, contextFor, firstBatch, maxChange, releaseBatch, snapshot, trainedTeacherModel, twoPeers } from './fixtures.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/**
 * Gradients of `objective` w.r.t. every listed model's variables; absent entries (no path at all)
 * come back as undefined, present ones as their max |value|.
 */
function gradientMagnitudes(objective: () => Objective, models: readonly TrainableModel[]): Array<Array<number | undefined>> {
  return tf.tidy(() => {
    const variables = models.flatMap((m) => m.trainableVariables());
    const { value, grads } = tf.variableGrads(() => objective().total, variables);
    value.dispose();
    return models.map((m) => m.trainableVariables().map((v) => (grads[v.name] ? (tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0] as number) : undefined)));
  });
}

/** true when every gradient of the model is absent or exactly zero */
const silent = (magnitudes: ReadonlyArray<number | undefined>): boolean => magnitudes.every((m) => m === undefined || m === 0);
const active = (magnitudes: ReadonlyArray<number | undefined>): boolean => magnitudes.some((m) => m !== undefined && m > 0);

describe('dml: peers learn only through their own optimiser', () => {
  it("one peer's update leaves the other peer's weights untouched", async () => {
    const dataset = blobs(7);
    const peers = twoPeers(7);
    const scheme = deepMutualLearning({ peers, optimizer: SGD });
    const batch = firstBatch(dataset);
    await scheme.prepare(contextFor(dataset), batch);
    for (const updated of [0, 1]) {
      const before = peers.map(snapshot);
      tf.dispose(scheme.stepLearner(updated, batch, PROGRESS));
      const after = peers.map(snapshot);
      expect(maxChange(before[updated]!, after[updated]!)).toBeGreaterThan(1e-4);
      expect(maxChange(before[1 - updated]!, after[1 - updated]!)).toBe(0);
    }
    releaseBatch(batch);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });

  it("targets are detached: a peer's loss sends no gradient into the other peer", async () => {
    const dataset = blobs(8);
    const peers = twoPeers(8);
    const scheme = deepMutualLearning({ peers, optimizer: SGD, temperature: 3 });
    const batch = firstBatch(dataset);
    await scheme.prepare(contextFor(dataset), batch);
    // evaluated under the tape on purpose: the peers' predictions are computed inside it here
    const [own, other] = gradientMagnitudes(() => scheme.learnerObjective(0, batch, PROGRESS), peers);
    expect(active(own!)).toBe(true);
    expect(silent(other!)).toBe(true);
    releaseBatch(batch);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });

  it("the sequential order is Algorithm 1: peer 1 learns from peer 0's prediction after peer 0's update", async () => {
    const dataset = blobs(9);
    const run = async (drive: (scheme: ReturnType<typeof deepMutualLearning>, batch: Batch) => void, order: 'sequential' | 'simultaneous') => {
      const peers = twoPeers(9);
      const scheme = deepMutualLearning({ peers, optimizer: SGD, updateOrder: order });
      const batch = firstBatch(dataset);
      await scheme.prepare(contextFor(dataset), batch);
      drive(scheme, batch);
      const weights = peers.map(snapshot);
      releaseBatch(batch);
      scheme.dispose();
      peers.forEach((p) => p.dispose());
      return weights;
    };
    const stepped = await run((s, b) => tf.dispose(s.step(b, PROGRESS)), 'sequential');
    const byHand = await run((s, b) => {
      tf.dispose(s.stepLearner(0, b, PROGRESS)); // fresh targets: peer 1 at its current weights
      tf.dispose(s.stepLearner(1, b, PROGRESS)); // fresh targets: peer 0 after its update
    }, 'sequential');
    const simultaneous = await run((s, b) => tf.dispose(s.step(b, PROGRESS)), 'simultaneous');
    expect(maxChange(stepped[0]!, byHand[0]!)).toBe(0);
    expect(maxChange(stepped[1]!, byHand[1]!)).toBe(0);
    // the first peer sees the same targets either way; the second does not
    expect(maxChange(stepped[0]!, simultaneous[0]!)).toBe(0);
    expect(maxChange(stepped[1]!, simultaneous[1]!)).toBeGreaterThan(1e-6);
  });
});

describe('the other schemes keep their targets detached', () => {
  it('ensemble-online: zero gradient into the other peers through the mean', async () => {
    const dataset = blobs(10);
    const peers = [...twoPeers(10), tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [5], seed: 3 })];
    const scheme = ensembleOnline({ peers, optimizer: SGD });
    const batch = firstBatch(dataset);
    scheme.prepare(contextFor(dataset), batch);
    const [own, ...others] = gradientMagnitudes(() => scheme.peerObjective(0, batch, PROGRESS), peers);
    expect(active(own!)).toBe(true);
    for (const other of others) expect(silent(other)).toBe(true);
    releaseBatch(batch);
    scheme.dispose();
    peers.forEach((p) => p.dispose());
  });

  it('bdkd-online and offline-online: each learner is alone on its tape', async () => {
    const { model, dataset } = trainedTeacherModel(11);
    const [small, large] = [tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [4], seed: 1 }), tinyDenseModel({ inputSize: 4, numClasses: 3, hidden: [16], seed: 2 })];
    const [student, peer] = twoPeers(11);
    const bdkd = bdkdOnline({ student: small, teacher: large, optimizer: SGD });
    const joint = offlineOnline({ teacher: tinyTeacher(model), student, peer, optimizer: SGD });
    const batch = firstBatch(dataset);
    for (const [scheme, pair] of [
      [bdkd, [small, large]],
      [joint, [student, peer, model]],
    ] as const) {
      await scheme.prepare(contextFor(dataset), batch);
      for (const index of [0, 1]) {
        const magnitudes = gradientMagnitudes(() => scheme.learnerObjective(index, batch, PROGRESS), pair);
        magnitudes.forEach((m, i) => expect(i === index ? active(m) : silent(m)).toBe(true));
      }
      scheme.dispose();
    }
    releaseBatch(batch);
    [model, small, large, student, peer].forEach((m) => m.dispose());
  });
});

describe('tensor hygiene as the Trainer calls step (no surrounding tf.tidy)', () => {
  it('every scheme leaves the tensor count unchanged step after step', async () => {
    const { model, dataset } = trainedTeacherModel(12);
    const models = [...twoPeers(12), ...twoPeers(13)];
    const [a, b, c, d] = models as [TrainableModel, TrainableModel, TrainableModel, TrainableModel];
    const schemes = [
      deepMutualLearning({ peers: [a, b], optimizer: SGD }),
      ensembleOnline({ peers: [a, b, c], optimizer: SGD }),
      bdkdOnline({ student: c, teacher: d, optimizer: SGD }),
      offlineOnline({ teacher: tinyTeacher(model), student: a, peer: d, optimizer: SGD }),
    ];
    const batch = firstBatch(dataset);
    for (const scheme of schemes) {
      await scheme.prepare(contextFor(dataset), batch);
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        tf.dispose(scheme.step(batch, PROGRESS));
        counts.push(tf.memory().numTensors);
      }
      // the first step creates the optimiser slots; after it nothing may accumulate
      expect(new Set(counts.slice(1)).size, scheme.name).toBe(1);
      scheme.dispose();
    }
    releaseBatch(batch);
    [model, ...models].forEach((m) => m.dispose());
  });
});
