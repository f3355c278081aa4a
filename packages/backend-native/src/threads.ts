import { loadNativeAddon } from './addon.js';

/**
 * Sets OpenBLAS's thread count. Returns false when the addon is unavailable. OpenBLAS starts with
 * one thread per core (or OPENBLAS_NUM_THREADS); lower it when other processes share the cores.
 */
export function setNativeThreads(threads: number): boolean {
  const addon = loadNativeAddon();
  if (!addon) return false;
  addon.setNumThreads(Math.max(1, Math.floor(threads)));
  return true;
}

/** OpenBLAS's current thread count, or 0 when the addon is unavailable. */
export function getNativeThreads(): number {
  return loadNativeAddon()?.getNumThreads() ?? 0;
}
