import type { DistilleryErrorCode } from '@distillery/core';

/**
 * The code of the DistilleryError `fn` throws, or a description of what happened instead. Comparing
 * codes (not classes) keeps the check valid when a plugin is tested against a separately built core.
 */
export function thrownCode(fn: () => unknown): DistilleryErrorCode | string {
  try {
    fn();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : `non-Distillery error: ${String(error)}`;
  }
  return 'nothing thrown';
}
