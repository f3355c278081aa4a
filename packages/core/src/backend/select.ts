import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, ConfigError } from '../errors.js';

/**
 * Backends in order of preference, ordered by measured training speed (`distillery-bench perf`):
 * - `tensorflow`: libtensorflow through @tensorflow/tfjs-node-gpu or -node (optional peers, found at run time);
 * - `native`: tfjs's cpu backend with OpenBLAS matmuls, direct convolutions, pooling, elementwise kernels
 *   and fused optimiser updates from @distillery/backend-native, when its addon built. On the six steps
 *   of `distillery-bench perf` (MLP and LeNet-5 pairs) it needs 1.8-2.2x less CPU time per step than
 *   `wasm` with one thread each, and it also uses the other cores, so it comes before `wasm`;
 * - `wasm`: @tensorflow/tfjs-backend-wasm plus Distillery's gradient kernels and fast transposed matmuls
 *   (single-threaded in Node): the portable fallback when the addon could not be built;
 * - `cpu`: pure JavaScript, always there, slow.
 */
export type BackendName = 'tensorflow' | 'native' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'native', 'wasm', 'cpu'];

export interface BackendChoice {
  readonly name: BackendName;
  /** the name tfjs knows the backend by */
  readonly tfBackend: string;
  /** why the better ones were skipped, for logs and reports */
  readonly skipped: ReadonlyArray<{ readonly name: BackendName; readonly reason: string }>;
}

export interface SelectBackendOptions {
  /** use exactly this backend or fail; defaults to the DISTILLERY_BACKEND environment variable */
  readonly force?: BackendName;
}

type Activator = () => Promise<string>;

// Specifiers live in variables so bundlers and tsc leave these optional imports alone.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';
const NATIVE_PACKAGE = '@distillery/backend-native';

async function importOptional(specifier: string): Promise<Record<string, unknown>> {
  return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
}

async function activateTensorflow(): Promise<string> {
  let lastError: unknown;
  for (const specifier of [TFJS_NODE_GPU, TFJS_NODE]) {
    try {
      await importOptional(specifier);
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch (error) {
      lastError = error;
    }
  }
  throw new BackendUnavailableError('tensorflow', `neither ${TFJS_NODE_GPU} nor ${TFJS_NODE} loads (${describe(lastError)})`);
}

async function activateNative(): Promise<string> {
  let registered: boolean;
  try {
    const native = await importOptional(NATIVE_PACKAGE);
    const register = native['registerNativeKernels'];
    registered = typeof register === 'function' && (register as () => boolean)() === true;
  } catch (error) {
    throw new BackendUnavailableError('native', `${NATIVE_PACKAGE} is not installed (${describe(error)})`);
  }
  if (!registered) throw new BackendUnavailableError('native', 'the BLAS addon was not built on this machine');
  if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError('native', 'the cpu backend failed to start');
  return 'cpu';
}

async function activateWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmGradientKernels } = await import('./wasm-kernels/index.js');
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm'))) throw new BackendUnavailableError('wasm', 'the WebAssembly module failed to initialise');
  return 'wasm';
}

async function activateCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError('cpu', 'the cpu backend failed to start');
  return 'cpu';
}

const ACTIVATORS: Record<BackendName, Activator> = {
  tensorflow: activateTensorflow,
  native: activateNative,
  wasm: activateWasm,
  cpu: activateCpu,
};

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

function readForcedBackend(options: SelectBackendOptions): BackendName | undefined {
  const env = typeof process === 'undefined' ? undefined : process.env['DISTILLERY_BACKEND'];
  const forced = options.force ?? (env && env !== 'auto' ? env : undefined);
  if (forced === undefined) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
    throw new ConfigError(`unknown backend "${forced}"`, `choose one of ${BACKEND_NAMES.join(', ')} (or "auto")`);
  }
  return forced as BackendName;
}

/** Activates the best available backend (or the forced one) and reports what was chosen and why. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const forced = readForcedBackend(options);
  if (forced) {
    const tfBackend = await ACTIVATORS[forced]();
    await tf.ready();
    return { name: forced, tfBackend, skipped: [] };
  }
  const skipped: Array<{ name: BackendName; reason: string }> = [];
  for (const name of BACKEND_NAMES) {
    try {
      const tfBackend = await ACTIVATORS[name]();
      await tf.ready();
      return { name, tfBackend, skipped };
    } catch (error) {
      skipped.push({ name, reason: describe(error) });
    }
  }
  throw new BackendUnavailableError('any', skipped.map((s) => `${s.name}: ${s.reason}`).join('; '));
}
