export { loadNativeAddon, loadNativeKernels, nativeStatus } from './addon.js';
export type { NativeAddon, NativeStatus } from './addon.js';
export { getNativeThreads, setNativeThreads } from './threads.js';
export {
  CPU_BACKEND_NAME,
  NATIVE_BACKEND_NAME,
  nativeKernelsRegistered,
  registerNativeBackend,
  registerNativeKernels,
  setNativeBackend,
  unregisterNativeKernels,
} from './register.js';
export type { NativeBackendOptions } from './register.js';
export { NATIVE_KERNEL_NAMES, NATIVE_UPDATE_KERNEL_NAMES } from './kernels/index.js';
export { requireNativeKernels } from './require.js';
