import { ConfigError } from '@distillery/core';

/**
 * Per-sample shapes of an attention pair [H, L, L'] (scores) or [H, L, d] (values): same head count and
 * sequence length on both sides, or a ConfigError that says why heads are compared one to one.
 */
export function requireMatchingHeads(loss: string, what: string, student: readonly number[], teacher: readonly number[]): { heads: number; length: number } {
  const [hs, ls] = student;
  const [ht, lt] = teacher;
  if (student.length !== 3 || teacher.length !== 3 || hs === undefined || ht === undefined || ls === undefined || lt === undefined) {
    throw new ConfigError(`${loss}: ${what} must be [heads, length, ...] per sample, got [${student.join(', ')}] and [${teacher.join(', ')}]`, 'use the attention taps of a Transformer (attention.scores.<i>, values.<i>)');
  }
  if (hs !== ht) {
    throw new ConfigError(
      `${loss}: the student has ${hs} attention heads and the teacher ${ht} (${what})`,
      `${loss} compares attention head by head without projections: build the student with ${ht} heads (its head size may differ)`,
    );
  }
  if (ls !== lt) {
    throw new ConfigError(`${loss}: ${what} cover ${ls} (student) and ${lt} (teacher) positions`, 'student and teacher must read the same token windows (same maxLength)');
  }
  return { heads: ht, length: lt };
}
