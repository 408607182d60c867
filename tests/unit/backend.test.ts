import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { selectBackend } from '../../main/node/backend';

const req = createRequire(__filename);
function installed(pkg: string): boolean {
  try {
    req.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
/** A Linux machine without any GPU device node (like the CI machines): Dawn can find no adapter there. */
const noGpuDevice = process.platform === 'linux' && !fs.existsSync('/dev/dri') && !fs.existsSync('/dev/nvidia0');

describe('selectBackend', () => {
  it('records why the native backends and WebGPU were not used and picks wasm', async () => {
    const { tf, info } = await selectBackend();
    expect(info.attempts.map((a) => a.name).slice(0, 3)).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node']);
    if (!nativeInstalled && noGpuDevice) {
      // On this machine the optional native packages could not be installed (no libtensorflow download).
      for (const a of [info.attempts[0], info.attempts[2]]) {
        expect(a.ok).toBe(false);
        expect(a.reason).toMatch(/Cannot find module '@tensorflow\/tfjs-node(-gpu)?'/);
      }
      expect(info.name).toBe('wasm');
      expect(info.device).toMatch(/^CPU \(WebAssembly( SIMD)?, \d+ threads?\)$/);
      expect(info.attempts[3]).toEqual({ name: 'wasm', ok: true });
      expect(tf.getBackend()).toBe('wasm');
      // The returned tf really computes on that backend.
      expect(Array.from(tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))).dataSync())).toEqual([11]);
    }
    for (const a of info.attempts) if (!a.ok) expect(a.reason && a.reason.length).toBeGreaterThan(0);
    expect(info.attempts.filter((a) => a.ok)).toHaveLength(1);
    expect(info.attempts[info.attempts.length - 1].ok).toBe(true);
  });

  it('registers the gradient kernels stock wasm lacks (convolutions, embeddings)', async () => {
    const { tf, info } = await selectBackend();
    if (!nativeInstalled) {
      expect(info.name).toBe('wasm');
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
      expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
      expect(info.attempts.map((a) => a.name)).toEqual(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm']);
    }
  });

  it('says exactly why WebGPU in Node was not used on a machine without a GPU, and falls through', async () => {
    if (!noGpuDevice) return;
    const { info } = await selectBackend();
    const webgpu = info.attempts.find((a) => a.name === 'webgpu');
    expect(webgpu?.ok).toBe(false);
    if (installed('webgpu')) {
      // Dawn loaded and was asked: it answered with no adapter (the reason names what is missing).
      expect(webgpu?.reason).toMatch(/^no WebGPU adapter: (the Vulkan loader libvulkan\.so\.1 is not installed|Dawn found no GPU with a Vulkan driver)/);
    } else {
      expect(webgpu?.reason).toMatch(/Cannot find module 'webgpu'.*not installed: the optional dependency `webgpu`/);
    }
    await expect(selectBackend({ prefer: 'webgpu' })).rejects.toThrow(/^The webgpu backend could not be started — webgpu: (no WebGPU adapter|Cannot find module)/);
  });

  it('honours prefer: "cpu"', async () => {
    const { tf, info } = await selectBackend({ prefer: 'cpu' });
    expect(info.name).toBe('cpu');
    expect(info.attempts).toEqual([{ name: 'cpu', ok: true }]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('honours prefer: "wasm" and can switch back', async () => {
    const { tf, info } = await selectBackend({ prefer: 'wasm' });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fails clearly for an unknown or unavailable forced backend', async () => {
    await expect(selectBackend({ prefer: 'quantum' })).rejects.toThrow(/Unknown backend "quantum"/);
    if (!nativeInstalled) {
      await expect(selectBackend({ prefer: 'tfjs-node' })).rejects.toThrow(/tfjs-node backend could not be started.*Cannot find module/);
    }
  });
});
