/** Writes bytes / 255 (pixels scaled to [0, 1]) into `out` starting at `offset`. */
export function bytesToUnitFloats(bytes: Uint8Array, out: Float32Array, offset = 0): void {
  const n = bytes.length;
  for (let i = 0; i < n; i++) out[offset + i] = (bytes[i] as number) / 255;
}
