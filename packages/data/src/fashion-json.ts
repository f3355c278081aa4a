import { DataFileError } from './errors.js';

export const FASHION_IMAGE_BYTES = 28 * 28;

export interface FashionClassImages {
  /** count x 784 pixel bytes (0..255), row-major */
  readonly pixels: Uint8Array;
  readonly count: number;
  /** rows holding no values (the package's 0.json has two); they are skipped */
  readonly emptyRows: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads one class file of the fashion-mnist package, `{"data":[[p0,...,p783],...]}` with integer
 * pixels 0..255, straight from its bytes in one pass. JSON.parse would build 7,000 arrays of 784 boxed
 * numbers per class first; this writes bytes directly.
 */
export function parseFashionClassJson(bytes: Uint8Array, source: string): FashionClassImages {
  let pos = 0;
  const fail = (reason: string): never => {
    throw new DataFileError(source, `${reason} at byte ${pos}`, 'the fashion-mnist package file is damaged; reinstall it');
  };
  const skipSpace = (): void => {
    while (pos < bytes.length) {
      const b = bytes[pos];
      if (b !== SPACE && b !== TAB && b !== LF && b !== CR) return;
      pos++;
    }
  };
  const expect = (text: string): void => {
    for (let k = 0; k < text.length; k++) {
      skipSpace();
      if (bytes[pos] !== text.charCodeAt(k)) fail(`expected "${text[k]}"`);
      pos++;
    }
  };

  expect('{"data":[');
  // Each value takes at least two bytes ("0,"), which bounds the number of pixels.
  const pixels = new Uint8Array(Math.ceil(bytes.length / 2));
  let count = 0;
  let emptyRows = 0;
  skipSpace();
  if (bytes[pos] === CLOSE) pos++;
  else {
    for (;;) {
      expect('[');
      const rowStart = count * FASHION_IMAGE_BYTES;
      let values = 0;
      skipSpace();
      if (bytes[pos] === CLOSE) pos++;
      else {
        // The hot loop (55 million values): no calls, one read per byte.
        for (;;) {
          let b = bytes[pos] as number;
          while (b === SPACE || b === LF || b === CR || b === TAB) b = bytes[++pos] as number;
          if (!(b >= ZERO && b <= NINE)) fail('expected an integer pixel value');
          let value = b - ZERO;
          b = bytes[++pos] as number;
          while (b >= ZERO && b <= NINE) {
            value = value * 10 + b - ZERO;
            b = bytes[++pos] as number;
          }
          if (value > 255) fail(`pixel value ${value} is above 255`);
          if (values < FASHION_IMAGE_BYTES) pixels[rowStart + values] = value;
          values++;
          while (b === SPACE || b === LF || b === CR || b === TAB) b = bytes[++pos] as number;
          pos++;
          if (b === CLOSE) break;
          if (b !== COMMA) fail('expected "," or "]" in an image row');
        }
      }
      if (values === 0) emptyRows++;
      else if (values === FASHION_IMAGE_BYTES) count++;
      else fail(`image row ${count + emptyRows} has ${values} values, expected ${FASHION_IMAGE_BYTES}`);
      skipSpace();
      const next = bytes[pos++];
      if (next === CLOSE) break;
      if (next !== COMMA) fail('expected "," or "]" after an image row');
    }
  }
  expect('}');
  skipSpace();
  if (pos !== bytes.length) fail('unexpected content after the data');
  return { pixels: pixels.slice(0, count * FASHION_IMAGE_BYTES), count, emptyRows };
}
