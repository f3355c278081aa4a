import { mulberry32 } from '@distillery/core';

/**
 * How a weight starts. Values are drawn in plain JS from core's mulberry32, seeded per weight, so a model
 * is reproducible from (config, seed) on every backend (tfjs's own seeded ops depend on the backend).
 */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  /** normal(0, std) truncated at 2 std, as BERT initialises every weight (std 0.02) */
  | { readonly kind: 'truncated-normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  /** Glorot-uniform: limit sqrt(6 / (fanIn + fanOut)) */
  | { readonly kind: 'glorot'; readonly fanIn: number; readonly fanOut: number };

export function initialValues(init: Initializer, size: number, seed: number): Float32Array {
  const values = new Float32Array(size);
  if (init.kind === 'zeros') return values;
  if (init.kind === 'ones') return values.fill(1);
  const random = mulberry32(seed);
  if (init.kind === 'truncated-normal') {
    for (let i = 0; i < size; i++) {
      let z = random.normal();
      while (Math.abs(z) > 2) z = random.normal();
      values[i] = z * init.std;
    }
    return values;
  }
  const limit = init.kind === 'uniform' ? init.limit : Math.sqrt(6 / (init.fanIn + init.fanOut));
  for (let i = 0; i < size; i++) values[i] = (2 * random.uniform() - 1) * limit;
  return values;
}
