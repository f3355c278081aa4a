import { ConfigError } from '@distillery/core';

export type Linkage = 'average' | 'complete' | 'single';
export const LINKAGES: readonly Linkage[] = ['average', 'complete', 'single'];

/**
 * Bottom-up hierarchical clustering of n items under a symmetric distance matrix: start from singletons
 * and repeatedly merge the two closest clusters until `clusters` remain. Cluster distance is the mean
 * ('average', UPGMA), maximum ('complete') or minimum ('single') item distance. Ties go to the pair whose
 * members come first, so the result is deterministic. Returns clusters of item indices, each sorted,
 * ordered by their first item. O(n^3), fine for the tens of layers of a network.
 */
export function agglomerativeClusters(distance: readonly (readonly number[])[], clusters: number, linkage: Linkage = 'average'): number[][] {
  const n = distance.length;
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > n) {
    throw new ConfigError(`agglomerativeClusters: cannot form ${clusters} clusters from ${n} items`, `ask for between 1 and ${n} clusters`);
  }
  const d = (i: number, j: number): number => distance[i]?.[j] as number;
  const between = (a: readonly number[], b: readonly number[]): number => {
    const values = a.flatMap((i) => b.map((j) => d(i, j)));
    if (linkage === 'single') return Math.min(...values);
    if (linkage === 'complete') return Math.max(...values);
    return values.reduce((s, v) => s + v, 0) / values.length;
  };
  let groups = Array.from({ length: n }, (_, i) => [i]);
  while (groups.length > clusters) {
    let best = { a: 0, b: 1, distance: Infinity };
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const value = between(groups[a] as number[], groups[b] as number[]);
        if (value < best.distance) best = { a, b, distance: value };
      }
    }
    const merged = [...(groups[best.a] as number[]), ...(groups[best.b] as number[])].sort((x, y) => x - y);
    groups = groups.filter((_, i) => i !== best.a && i !== best.b);
    groups.push(merged);
    groups.sort((x, y) => (x[0] as number) - (y[0] as number));
  }
  return groups;
}
