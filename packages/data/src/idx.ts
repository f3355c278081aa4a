import { DataFileError } from './errors.js';

/** A parsed IDX file of unsigned bytes (the only element type MNIST uses). */
export interface IdxArray {
  /** the 32-bit big-endian magic number: 0x00000800 | rank, e.g. 2051 for images, 2049 for labels */
  readonly magic: number;
  readonly dims: readonly number[];
  /** the values, a view into the input buffer (no copy) */
  readonly data: Uint8Array;
}

export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
const UNSIGNED_BYTE = 0x08;

/**
 * Parses an IDX buffer (LeCun's MNIST format): two zero bytes, a type byte, a rank byte, one
 * big-endian uint32 per dimension, then the values. `source` names the file in errors.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new DataFileError(source, `only ${bytes.length} bytes, too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2] as number;
  const rank = bytes[3] as number;
  if (bytes[0] !== 0 || bytes[1] !== 0 || rank === 0) {
    throw new DataFileError(source, `magic number ${magic} is not an IDX magic number`, 'this is not an IDX file (MNIST files are called *-idx3-ubyte / *-idx1-ubyte)');
  }
  if (type !== UNSIGNED_BYTE) {
    throw new DataFileError(source, `IDX element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw new DataFileError(source, `truncated: ${bytes.length} bytes, the header alone needs ${headerLength}`);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    dims.push(dim);
    count *= dim;
  }
  const expected = headerLength + count;
  if (bytes.length < expected) {
    throw new DataFileError(source, `truncated: dims [${dims.join(', ')}] need ${expected} bytes but the file has ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DataFileError(source, `${bytes.length - expected} unexpected bytes after the ${expected} that dims [${dims.join(', ')}] describe`);
  }
  return { magic, dims, data: bytes.subarray(headerLength, expected) };
}

/** Checks the magic number and rank an IDX file must have for its role (images or labels). */
export function expectIdx(array: IdxArray, magic: number, source: string): void {
  if (array.magic !== magic) {
    throw new DataFileError(source, `magic number ${array.magic}, expected ${magic} (${magic === IDX_IMAGES_MAGIC ? 'images' : 'labels'})`, 'the image and label files may be swapped');
  }
}
