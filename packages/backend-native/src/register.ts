import {
  copyRegisteredKernels,
  findBackendFactory,
  getKernel,
  registerBackend,
  registerKernel,
  setBackend,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs';
import { loadNativeAddon, type NativeAddon } from './addon.js';
import { NATIVE_KERNELS } from './kernels/index.js';

/** tfjs-backend-cpu's name: its kernels are the fallbacks and the ones registerNativeKernels replaces. */
export const CPU_BACKEND_NAME = 'cpu';
/** The name under which registerNativeBackend registers "cpu backend + native kernels". */
export const NATIVE_BACKEND_NAME = 'native';

// Kernel functions created here: lets (un)registration tell native kernels from stock ones, so
// repeated calls are idempotent and the stock kernels are never lost.
const nativeKernelFuncs = new WeakSet<KernelFunc>();
const stockKernels = new Map<string, KernelConfig>();

function isNative(config: KernelConfig | undefined): boolean {
  return config !== undefined && nativeKernelFuncs.has(config.kernelFunc);
}

/** Remembers tfjs-backend-cpu's own kernels before anything replaces them. */
function captureStockKernels(): boolean {
  for (const { kernelName, standalone } of NATIVE_KERNELS) {
    if (standalone || stockKernels.has(kernelName)) continue;
    const config = getKernel(kernelName, CPU_BACKEND_NAME);
    if (config === undefined || isNative(config)) return false;
    stockKernels.set(kernelName, config);
  }
  return true;
}

/** The `stock` of a standalone kernel: there is none to fall back to. */
const noStockKernel: KernelFunc = () => {
  throw new Error('this native kernel has no stock fallback');
};

function installKernels(addon: NativeAddon, backendName: string): void {
  for (const { kernelName, create, standalone } of NATIVE_KERNELS) {
    const stock = standalone ? noStockKernel : stockKernels.get(kernelName)?.kernelFunc;
    const current = getKernel(kernelName, backendName);
    if (stock === undefined || isNative(current)) continue;
    // Unregister first: registerKernel would otherwise warn that the name is taken.
    if (current !== undefined) unregisterKernel(kernelName, backendName);
    const kernelFunc = create(addon, stock);
    nativeKernelFuncs.add(kernelFunc);
    registerKernel({ kernelName, backendName, kernelFunc });
  }
}

function prepare(): NativeAddon | null {
  const addon = loadNativeAddon();
  return addon !== null && captureStockKernels() ? addon : null;
}

/**
 * Replaces the kernels of tfjs's 'cpu' backend listed in NATIVE_KERNEL_NAMES (matmul, convolution,
 * pooling, elementwise, reductions, gather/segment sums, transposes, softmax) with faster ones and
 * adds the fused optimiser updates core's optimisers use. Returns false (and changes nothing) when the addon is not built or the cpu backend's kernels
 * are not registered.
 */
export function registerNativeKernels(): boolean {
  const addon = prepare();
  if (!addon) return false;
  installKernels(addon, CPU_BACKEND_NAME);
  return true;
}

/** Puts tfjs-backend-cpu's own kernels back on 'cpu'. A no-op when they were never replaced. */
export function unregisterNativeKernels(): void {
  for (const { kernelName, standalone } of NATIVE_KERNELS) {
    const stock = stockKernels.get(kernelName);
    const current = getKernel(kernelName, CPU_BACKEND_NAME);
    if ((stock === undefined && !standalone) || !isNative(current)) continue;
    unregisterKernel(kernelName, CPU_BACKEND_NAME);
    if (stock !== undefined) registerKernel(stock);
  }
}

/** True when every kernel this package registers (replacements and fused updates) is the native one on `backendName`. */
export function nativeKernelsRegistered(backendName: string = CPU_BACKEND_NAME): boolean {
  return NATIVE_KERNELS.every(({ kernelName }) => isNative(getKernel(kernelName, backendName)));
}

export interface NativeBackendOptions {
  /** Backend name; defaults to NATIVE_BACKEND_NAME ('native'). Must not contain '_'. */
  name?: string;
  /**
   * tfjs picks the highest-priority backend when none is set explicitly; 'cpu' has 1 and 'wasm' 2.
   * Defaults to 0 so registering never changes the default backend by itself.
   */
  priority?: number;
}

/**
 * Registers a separate backend (default name 'native'): a fresh tfjs cpu backend instance with all
 * of 'cpu''s kernels plus the native ones. 'cpu' itself is left untouched, so both can be compared
 * in one process. Returns false when the addon or the cpu backend is unavailable.
 */
export function registerNativeBackend(options: NativeBackendOptions = {}): boolean {
  const name = options.name ?? NATIVE_BACKEND_NAME;
  const addon = prepare();
  if (!addon) return false;
  if (!findBackendFactory(name)) {
    const cpuFactory = findBackendFactory(CPU_BACKEND_NAME);
    if (!cpuFactory) return false;
    registerBackend(name, cpuFactory, options.priority ?? 0);
    copyRegisteredKernels(CPU_BACKEND_NAME, name);
  }
  installKernels(addon, name);
  return true;
}

/** registerNativeBackend + tf.setBackend. Resolves false (backend unchanged) when native is unavailable. */
export async function setNativeBackend(options: NativeBackendOptions = {}): Promise<boolean> {
  if (!registerNativeBackend(options)) return false;
  return setBackend(options.name ?? NATIVE_BACKEND_NAME);
}
