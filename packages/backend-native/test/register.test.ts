import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_ADAM_KERNEL, FUSED_MOMENTUM_KERNEL, FUSED_SGD_KERNEL } from '@distillery/core';
import {
  NATIVE_KERNEL_NAMES,
  NATIVE_UPDATE_KERNEL_NAMES,
  getNativeThreads,
  loadNativeAddon,
  loadNativeKernels,
  nativeKernelsRegistered,
  nativeStatus,
  registerNativeBackend,
  registerNativeKernels,
  requireNativeKernels,
  setNativeBackend,
  setNativeThreads,
  unregisterNativeKernels,
} from '../src/index.js';
import { randomTensor, relativeError } from './helpers.js';

const available = loadNativeKernels();

describe.skipIf(!available)('registering native kernels', () => {
  afterAll(() => {
    unregisterNativeKernels();
  });

  it('replaces every listed kernel on cpu and restores the stock ones', async () => {
    await tf.setBackend('cpu');
    const stock = NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, 'cpu').kernelFunc);
    const compute = (): Float32Array =>
      tf.tidy(() => tf.matMul(randomTensor([40, 30], 1), randomTensor([30, 20], 2)).dataSync() as Float32Array);
    const expected = compute();

    expect(registerNativeKernels()).toBe(true);
    expect(registerNativeKernels()).toBe(true); // idempotent
    expect(nativeKernelsRegistered('cpu')).toBe(true);
    NATIVE_KERNEL_NAMES.forEach((name, i) => expect(tf.getKernel(name, 'cpu').kernelFunc).not.toBe(stock[i]));
    expect(relativeError(compute(), expected)).toBeLessThan(1e-5);

    unregisterNativeKernels();
    expect(nativeKernelsRegistered('cpu')).toBe(false);
    NATIVE_KERNEL_NAMES.forEach((name, i) => expect(tf.getKernel(name, 'cpu').kernelFunc).toBe(stock[i]));
    expect(Array.from(compute())).toEqual(Array.from(expected));
  });

  it('adds the fused optimiser updates core names, and removes them again', async () => {
    await tf.setBackend('cpu');
    expect([...NATIVE_UPDATE_KERNEL_NAMES].sort()).toEqual([FUSED_ADAM_KERNEL, FUSED_MOMENTUM_KERNEL, FUSED_SGD_KERNEL].sort());
    for (const name of NATIVE_UPDATE_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    expect(registerNativeKernels()).toBe(true);
    for (const name of NATIVE_UPDATE_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu')).toBeDefined();
    unregisterNativeKernels();
    for (const name of NATIVE_UPDATE_KERNEL_NAMES) expect(tf.getKernel(name, 'cpu')).toBeUndefined();
  });

  it('registers a separate "native" backend and leaves cpu stock', async () => {
    expect(registerNativeBackend()).toBe(true);
    expect(registerNativeBackend()).toBe(true);
    expect(nativeKernelsRegistered('native')).toBe(true);
    expect(nativeKernelsRegistered('cpu')).toBe(false);
    // Every cpu kernel is available on the native backend, not only the replaced ones, plus the fused updates.
    expect(tf.getKernelsForBackend('native').length).toBe(tf.getKernelsForBackend('cpu').length + NATIVE_UPDATE_KERNEL_NAMES.length);
    expect(await setNativeBackend()).toBe(true);
    expect(tf.getBackend()).toBe('native');
    await tf.setBackend('cpu');
  });

  it('requireNativeKernels registers without throwing when the addon is there', () => {
    expect(() => requireNativeKernels()).not.toThrow();
    expect(nativeKernelsRegistered('cpu')).toBe(true);
    unregisterNativeKernels();
  });

  it('reports its status and controls OpenBLAS threads', () => {
    const status = nativeStatus();
    expect(status.available).toBe(true);
    expect(status.reason).toBeNull();
    expect(status.blasConfig).toMatch(/OpenBLAS/);
    const before = getNativeThreads();
    expect(before).toBeGreaterThanOrEqual(1);
    expect(setNativeThreads(1)).toBe(true);
    expect(getNativeThreads()).toBe(1);
    setNativeThreads(before);
    expect(getNativeThreads()).toBe(before);
  });
});

describe.skipIf(!available)('the addon validates its arguments instead of touching memory out of bounds', () => {
  const addon = loadNativeAddon();

  it('rejects arrays too short for the stated shapes', () => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    expect(() => addon?.matmul(a, b, new Float32Array(3), 1, 2, 2, 3, false, false, 0, 0, null, 0, 0)).toThrow(RangeError);
    expect(() => addon?.matmul(a, b, new Float32Array(4), 2, 2, 2, 3, false, false, 6, 6, null, 0, 0)).toThrow(RangeError);
    const params = new Int32Array([1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1]);
    expect(() => addon?.conv2d(new Float32Array(15), new Float32Array(9), new Float32Array(16), params, null, 0, 0)).toThrow(RangeError);
  });

  it('rejects wrong argument types and bad codes', () => {
    const a = new Float32Array(4);
    expect(() => addon?.matmul(new Float64Array(4) as unknown as Float32Array, a, a, 1, 2, 2, 2, false, false, 0, 0, null, 0, 0)).toThrow(TypeError);
    expect(() => addon?.matmul(a, a, a, 1, 2, 2, 2, false, false, 0, 0, null, 99, 0)).toThrow(RangeError);
    expect(() => addon?.matmul(a, a, a, 1, 2, 2, 2, false, false, 0, 0, new Float32Array(3), 0, 0)).toThrow(RangeError);
    const zeroStride = new Int32Array([1, 4, 4, 1, 4, 4, 1, 1, 1, 0, 1, 1, 1, 0, 0]);
    expect(() => addon?.conv2d(new Float32Array(16), new Float32Array(1), new Float32Array(16), zeroStride, null, 0, 0)).toThrow(RangeError);
  });

  it('computes a hand-checked product with bias and relu', () => {
    const out = new Float32Array(4);
    // [[1, 2], [3, 4]] . [[1, -1], [0, 1]] = [[1, 1], [3, 1]]; + [-2, 0]; relu -> [[0, 1], [1, 1]]
    addon?.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([1, -1, 0, 1]), out, 1, 2, 2, 2, false, false, 0, 0, new Float32Array([-2, 0]), 1, 0);
    expect(Array.from(out)).toEqual([0, 1, 1, 1]);
  });
});
