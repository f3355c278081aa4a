/**
 * Derives an independent 32-bit seed from a model seed and a label (a layer/weight name, a call count).
 * Every random initialiser and dropout mask gets its own derived seed, so two builds with the same model
 * seed are bit-identical while no two layers share a random stream (tfjs re-seeds its generator from
 * scratch on every seeded call, so reusing one seed would give every layer the same numbers).
 */
export function deriveSeed(seed: number, label: string | number): number {
  // FNV-1a over the text, then murmur3's finaliser to spread the bits of near-identical labels.
  const text = `${seed}/${label}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
