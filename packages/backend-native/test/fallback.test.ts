import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '@distillery/core';
import { describe, expect, it, vi } from 'vitest';

// Each test file runs in its own worker with fresh modules, so the addon's load state starts empty here.
describe('without the addon', () => {
  it('reports unavailable, registers nothing and keeps the stock kernels', async () => {
    vi.stubEnv('DISTILLERY_NATIVE', '0');
    const native = await import('../src/index.js');
    const stock = native.NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, 'cpu').kernelFunc);

    expect(native.loadNativeKernels()).toBe(false);
    expect(native.loadNativeAddon()).toBeNull();
    expect(native.registerNativeKernels()).toBe(false);
    expect(native.registerNativeBackend()).toBe(false);
    expect(await native.setNativeBackend()).toBe(false);
    expect(native.setNativeThreads(2)).toBe(false);
    expect(native.getNativeThreads()).toBe(0);
    expect(tf.findBackendFactory('native')).toBeNull();
    native.NATIVE_KERNEL_NAMES.forEach((name, i) => expect(tf.getKernel(name, 'cpu').kernelFunc).toBe(stock[i]));

    const status = native.nativeStatus();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/DISTILLERY_NATIVE=0/);

    let thrown: unknown;
    try {
      native.requireNativeKernels();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackendUnavailableError);
    expect((thrown as BackendUnavailableError).code).toBe('BACKEND_UNAVAILABLE');
    expect((thrown as BackendUnavailableError).message).toMatch(/DISTILLERY_NATIVE=0/);
    vi.unstubAllEnvs();
  });

  it('reports a missing build with the path it looked at', async () => {
    vi.resetModules();
    vi.stubEnv('DISTILLERY_NATIVE_ADDON', '/nonexistent/distillery_native.node');
    const native = await import('../src/index.js');
    expect(native.loadNativeKernels()).toBe(false);
    expect(native.nativeStatus().reason).toMatch(/not built.*nonexistent/);
    vi.unstubAllEnvs();
  });
});
