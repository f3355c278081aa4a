import type * as tf from '@tensorflow/tfjs';
import { ConfigError, requireChoice } from '@distillery/core';
import { agglomerativeClusters, LINKAGES } from './agglomerative.js';
import type { Linkage } from './agglomerative.js';
import { ckaMatrix } from './cka.js';

export interface HintSelectionOptions {
  /** how many hint layers to pick: one per cluster */
  readonly clusters: number;
  /** cluster linkage on the 1 - CKA distance (default 'average') */
  readonly linkage?: Linkage;
}

export interface HintSelection {
  /** the candidate layers, in the order given (shallow to deep) */
  readonly layers: readonly string[];
  /** linear CKA between every pair of layers, in `layers` order */
  readonly cka: readonly (readonly number[])[];
  /** the clusters, each in layer order, ordered by their shallowest layer */
  readonly clusters: readonly (readonly string[])[];
  /** per layer, its mean CKA to the other members of its cluster (1 for a singleton) */
  readonly centrality: Readonly<Record<string, number>>;
  /** one hint layer per cluster, its medoid, shallow to deep: use these as the teacher's hint points */
  readonly hints: readonly string[];
}

/**
 * Picks hint points among candidate teacher layers by clustering layer representations, in the spirit of
 * PURSUhInT (Keser et al. 2023), which clusters the teacher's layers and takes cluster centres as hints.
 * The representation and clustering here are our choice, stated exactly:
 *   1. On one batch, every candidate layer's activations are flattened per sample.
 *   2. Layers are compared by linear CKA (Kornblith et al. 2019), which ignores widths, rotations and scale.
 *   3. Agglomerative clustering on the distance 1 - CKA (average linkage by default) forms `clusters` groups
 *      of layers that compute similar representations.
 *   4. Each cluster's representative is its medoid: the member with the highest mean CKA to the other
 *      members (ties: the shallower layer). The representatives, shallow to deep, are the hints.
 * The batch should be large enough for CKA to be stable (dozens of samples or more).
 */
export function selectHintLayers(features: Readonly<Record<string, tf.Tensor>>, options: HintSelectionOptions): HintSelection {
  const entries = Object.entries(features);
  if (entries.length === 0) throw new ConfigError('selectHintLayers: no candidate layers', 'pass the teacher\'s features on a sample batch, e.g. teacher.forward(x).features');
  const linkage = options.linkage ?? 'average';
  requireChoice('selectHintLayers', 'linkage', linkage, LINKAGES);
  const layers = entries.map(([name]) => name);
  const cka = ckaMatrix(entries);
  const groups = agglomerativeClusters(
    cka.map((row) => row.map((v) => 1 - v)),
    options.clusters,
    linkage,
  );
  const centrality: Record<string, number> = {};
  const hints = groups.map((group) => {
    let best = group[0] as number;
    for (const i of group) {
      const others = group.filter((j) => j !== i);
      const score = others.length === 0 ? 1 : others.reduce((s, j) => s + (cka[i]?.[j] as number), 0) / others.length;
      centrality[layers[i] as string] = score;
      if (score > (centrality[layers[best] as string] as number)) best = i;
    }
    return layers[best] as string;
  });
  return { layers, cka, clusters: groups.map((g) => g.map((i) => layers[i] as string)), centrality, hints };
}
