import type { LossDefinition } from '@distillery/core';
import { bdkdDefinition } from './bdkd.js';
import { continuationKdDefinition } from './continuation-kd.js';
import { ctkdDefinition } from './ctkd.js';
import { dkdDefinition } from './dkd.js';
import { jsDefinition } from './js.js';
import { lsrDefinition } from './lsr.js';
import { nkdDefinition } from './nkd.js';
import { reverseKlDefinition } from './reverse-kl.js';
import { tfKdVirtualDefinition } from './tf-kd-virtual.js';
import { tfNkdDefinition } from './tf-nkd.js';

/**
 * The response-based losses beyond `ce` and `kd`, in registry order. Each definition is typed with its
 * own options; the registry sees the JSON-safe base type.
 */
export const responseDefinitions: LossDefinition[] = [
  reverseKlDefinition,
  jsDefinition,
  bdkdDefinition,
  dkdDefinition,
  nkdDefinition,
  tfNkdDefinition,
  lsrDefinition,
  tfKdVirtualDefinition,
  ctkdDefinition,
  continuationKdDefinition,
] as LossDefinition[];
