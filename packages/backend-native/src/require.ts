import { BackendUnavailableError } from '@distillery/core';
import { nativeStatus } from './addon.js';
import { registerNativeKernels } from './register.js';

/**
 * registerNativeKernels, but throws core's BackendUnavailableError (code BACKEND_UNAVAILABLE) with
 * the concrete reason (addon not built, libopenblas missing at run time, ...) instead of returning false.
 */
export function requireNativeKernels(): void {
  if (registerNativeKernels()) return;
  const { reason } = nativeStatus();
  throw new BackendUnavailableError('native', reason ?? "tfjs's cpu backend kernels are not registered");
}
