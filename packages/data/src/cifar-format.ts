import { DataFileError } from './errors.js';

/** CIFAR-10 binary record: 1 label byte + 1024 red + 1024 green + 1024 blue bytes (32x32, row-major planes). */
export const CIFAR_RECORD_BYTES = 3073;
const PIXELS = 32 * 32;

/** Records in a CIFAR-10 .bin file of this size; DataFileError when it is empty or not whole records. */
export function cifarRecordCount(byteLength: number, source: string): number {
  if (byteLength === 0 || byteLength % CIFAR_RECORD_BYTES !== 0) {
    throw new DataFileError(
      source,
      `size ${byteLength} bytes is not a positive multiple of ${CIFAR_RECORD_BYTES} (one CIFAR-10 record)`,
      'use the binary version of CIFAR-10 (cifar-10-binary.tar.gz) and check the file is not truncated',
    );
  }
  return byteLength / CIFAR_RECORD_BYTES;
}

/**
 * Decodes the first `count` records of `bytes` into HWC [32, 32, 3] rows scaled to [0, 1], starting at
 * row `firstRow` of `inputs` / `labels`. Planar CHW becomes interleaved HWC, the layout tf.conv2d expects.
 */
export function decodeCifarRecords(bytes: Uint8Array, count: number, inputs: Float32Array, labels: Int32Array, firstRow: number): void {
  for (let r = 0; r < count; r++) {
    const record = r * CIFAR_RECORD_BYTES;
    const row = (firstRow + r) * PIXELS * 3;
    labels[firstRow + r] = bytes[record] as number;
    for (let channel = 0; channel < 3; channel++) {
      const plane = record + 1 + channel * PIXELS;
      for (let p = 0; p < PIXELS; p++) inputs[row + p * 3 + channel] = (bytes[plane + p] as number) / 255;
    }
  }
}
