import { createRng, mixSeed } from '@distillery/data';

/**
 * The teacher drawn for one iteration of the 'random' aggregation: a pure function of (seed, step),
 * so a run resumed from a checkpoint draws the same teachers as an uninterrupted one.
 */
export function randomTeacherIndex(seed: number, step: number, count: number): number {
  return createRng(mixSeed(seed, step, 0x7ea)).nextInt(count);
}
