import { describe, expect, it } from 'vitest';
import { describeAdapter, noAdapterReason, requestAdapterWithin, withinMs, type GpuAdapterLike, type GpuLike } from '../../main/node/webgpuNode';

/** The parts of WebGPU-in-Node selection that do not need a GPU: time-boxing, reasons, adapter naming. */

const adapter: GpuAdapterLike = {
  info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' },
  features: new Set<string>(),
  limits: {},
  requestDevice: () => Promise.resolve({}),
};

describe('requestAdapterWithin', () => {
  it('gives up on an adapter request that never answers, naming the call and the time box', async () => {
    const silent: GpuLike = { requestAdapter: () => new Promise(() => {}) };
    await expect(requestAdapterWithin(silent, 50)).rejects.toThrow('navigator.gpu.requestAdapter() did not answer within 50 ms');
  });

  it('turns a null adapter into the reason it was given', async () => {
    const none: GpuLike = { requestAdapter: () => Promise.resolve(null) };
    await expect(requestAdapterWithin(none, 1000, () => 'no WebGPU adapter: because')).rejects.toThrow(/^no WebGPU adapter: because$/);
  });

  it('asks for the high-performance adapter and returns it', async () => {
    let asked: unknown;
    const gpu: GpuLike = { requestAdapter: (o) => ((asked = o), Promise.resolve(adapter)) };
    await expect(requestAdapterWithin(gpu, 1000)).resolves.toBe(adapter);
    expect(asked).toEqual({ powerPreference: 'high-performance' });
  });
});

describe('withinMs', () => {
  it('passes a prompt answer through and a failure unchanged', async () => {
    await expect(withinMs(Promise.resolve(3), 1000, 'x')).resolves.toBe(3);
    await expect(withinMs(Promise.reject(new Error('device lost')), 1000, 'x')).rejects.toThrow('device lost');
  });
});

describe('noAdapterReason', () => {
  it('names the missing Vulkan loader on Linux, and the package to install', () => {
    expect(noAdapterReason('linux', () => false)).toBe(
      'no WebGPU adapter: the Vulkan loader libvulkan.so.1 is not installed, so Dawn sees no GPU (Debian/Ubuntu: apt-get install libvulkan1, plus the GPU\'s Vulkan driver)',
    );
  });

  it('with a Vulkan loader present, says that no usable GPU driver was found', () => {
    expect(noAdapterReason('linux', () => true)).toMatch(/^no WebGPU adapter: Dawn found no GPU with a Vulkan driver it can use/);
  });

  it('names the graphics APIs Dawn uses elsewhere', () => {
    expect(noAdapterReason('win32')).toMatch(/Direct3D 12 or Vulkan/);
    expect(noAdapterReason('darwin')).toMatch(/Metal/);
  });
});

describe('describeAdapter', () => {
  it('joins vendor and the details the adapter gives, skipping empty ones', () => {
    expect(describeAdapter(adapter)).toBe('nvidia (hopper, NVIDIA H200)');
    expect(describeAdapter({ ...adapter, info: undefined })).toBe('unknown vendor');
  });
});

describe('the training self-test a WebGPU backend must pass before it is chosen', () => {
  it('passes on a backend that computes correctly', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const { trainingSelfTest } = await import('../../main/node/webgpuNode');
    expect(() => trainingSelfTest(tf)).not.toThrow();
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('fails, saying what was wrong, where a kernel gives garbage', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const { trainingSelfTest } = await import('../../main/node/webgpuNode');
    const broken = { ...tf, matMul: ((a: never, b: never) => tf.mul(tf.matMul(a, b), 0)) as typeof tf.matMul };
    expect(() => trainingSelfTest(broken as typeof tf)).toThrow(/matrix product gave \[0, 0, 0, 0\], not \[4, 5, 10, 11\]/);
  });
});
