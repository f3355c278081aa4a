import { availableParallelism } from 'node:os';
import { selectBackend, type BackendChoice, type BackendName } from '@distillery/core';

// A variable specifier keeps bundlers from inlining the optional native package.
const NATIVE_PACKAGE = '@distillery/backend-native';

/** BLAS threads per worker so that `workers` workers together use every core once. */
export function threadsPerWorker(workers: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers)));
}

/**
 * Selects this thread's backend (each worker thread has its own tfjs engine) and, for the native
 * backend, caps OpenBLAS's threads so parallel workers do not oversubscribe the cores.
 */
export async function selectRunBackend(requested: BackendName | undefined, blasThreads: number): Promise<BackendChoice> {
  const choice = await selectBackend(requested ? { force: requested } : {});
  if (choice.name === 'native') {
    const native = (await import(/* @vite-ignore */ NATIVE_PACKAGE)) as { setNativeThreads?: (threads: number) => boolean };
    native.setNativeThreads?.(blasThreads);
  }
  return choice;
}
