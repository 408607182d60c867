import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import type * as tfjs from '@tensorflow/tfjs';

/**
 * WebGPU in Node: the optional `webgpu` package (Dawn, prebuilt dawn.node for Linux, macOS and Windows) provides
 * `navigator.gpu`, and @tensorflow/tfjs-backend-webgpu runs on it. That backend registers itself only in a browser,
 * so it is registered here once an adapter is found. Every step is time-boxed: a broken driver must not hang start-up.
 */

type Tf = typeof tfjs;

export const ADAPTER_TIMEOUT_MS = 5000;

/** The part of a WebGPU adapter used here (lib.dom's GPUAdapter is not in main/node's types). */
export interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

const nodeRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'index.js'));

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether the dynamic linker can find `lib` (ldconfig's cache, then LD_LIBRARY_PATH). Linux only. */
function sharedLibraryFound(lib: string): boolean {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      if (execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).includes(lib)) return true;
      break;
    } catch {
      /* try the next location */
    }
  }
  return (process.env.LD_LIBRARY_PATH ?? '').split(':').some((dir) => dir !== '' && fs.existsSync(path.join(dir, lib)));
}

/** Why Dawn most likely found no adapter on this platform, and what would help. */
export function noAdapterReason(platform: string = process.platform, vulkanLoaderFound: () => boolean = () => sharedLibraryFound('libvulkan.so.1')): string {
  const prefix = 'no WebGPU adapter';
  if (platform === 'linux') {
    return vulkanLoaderFound()
      ? `${prefix}: Dawn found no GPU with a Vulkan driver it can use (a GPU and its Vulkan driver are needed; software Vulkan such as lavapipe lacks features Dawn requires)`
      : `${prefix}: the Vulkan loader libvulkan.so.1 is not installed, so Dawn sees no GPU (Debian/Ubuntu: apt-get install libvulkan1, plus the GPU's Vulkan driver)`;
  }
  if (platform === 'win32') return `${prefix}: Dawn found no GPU with a Direct3D 12 or Vulkan driver`;
  if (platform === 'darwin') return `${prefix}: Dawn found no Metal GPU`;
  return `${prefix}: Dawn found no GPU`;
}

/** A high-performance adapter within `ms`, or an error saying why there is none. */
export async function requestAdapterWithin(gpu: GpuLike, ms: number, reasonWhenNone: () => string = () => noAdapterReason()): Promise<GpuAdapterLike> {
  const adapter = await withinMs(gpu.requestAdapter({ powerPreference: 'high-performance' }), ms, 'navigator.gpu.requestAdapter()');
  if (!adapter) throw new Error(reasonWhenNone());
  return adapter;
}

/** "NVIDIA (ampere, …)" from whatever the adapter tells. */
export function describeAdapter(adapter: GpuAdapterLike): string {
  const i = adapter.info ?? {};
  const detail = [i.architecture, i.device, i.description].filter((s): s is string => Boolean(s)).join(', ');
  return `${i.vendor || 'unknown vendor'}${detail ? ` (${detail})` : ''}`;
}

/** The limits tfjs-backend-webgpu asks of its device in the browser (its base.ts), so kernels fit the same way. */
const REQUIRED_LIMITS = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];

/** Dawn and its answer are kept per process: a GPU does not appear mid-run, and Dawn logs its failure each time it is asked. */
let dawnLoaded: { gpu: GpuLike; globals: Record<string, unknown> } | undefined;
let noAdapter: Error | undefined;

/**
 * Loads Dawn, finds an adapter, makes the tfjs "webgpu" backend on it and activates it. Throws with the reason
 * otherwise (package missing, no adapter, device refused, timeout), leaving the current backend as it was.
 */
export async function startWebGpuBackend(tf: Tf, timeoutMs = ADAPTER_TIMEOUT_MS): Promise<{ adapter: string }> {
  // A computed name keeps bundlers from inlining the optional package.
  const pkg: string = 'webgpu';
  if (noAdapter) throw noAdapter;
  if (!dawnLoaded) {
    const dawn = nodeRequire(pkg) as { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
    dawnLoaded = { gpu: dawn.create([]), globals: dawn.globals };
  }
  const { gpu, globals } = dawnLoaded;
  let adapter: GpuAdapterLike;
  try {
    adapter = await requestAdapterWithin(gpu, timeoutMs);
  } catch (e) {
    noAdapter = e as Error;
    throw e;
  }

  // tfjs-backend-webgpu uses the browser's globals (GPUBufferUsage, GPUMapMode, …) and navigator.gpu.
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in g)) g[name] = value;
  if (typeof g.navigator !== 'object' || g.navigator === null) g.navigator = {};
  if (!('gpu' in (g.navigator as object))) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });

  const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => adapter.features.has(f));
  const requiredLimits = Object.fromEntries(REQUIRED_LIMITS.filter((l) => l in adapter.limits).map((l) => [l, adapter.limits[l]]));
  const device = await withinMs(adapter.requestDevice({ requiredFeatures, requiredLimits }), timeoutMs, 'GPUAdapter.requestDevice()');

  const { WebGPUBackend } = nodeRequire('@tensorflow/tfjs-backend-webgpu') as typeof import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], adapter.info as ConstructorParameters<typeof WebGPUBackend>[1]), 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false although an adapter and a device were found');
  await tf.ready();
  try {
    trainingSelfTest(tf);
  } catch (e) {
    throw new Error(`WebGPU on ${describeAdapter(adapter)} failed a training self-test, so it is not used: ${(e as Error).message}`);
  }
  return { adapter: describeAdapter(adapter) };
}

/**
 * One small training step on the active backend — a convolution, pooling, a matrix product, a sigmoid and their
 * gradients — checked for a known product and finite gradients. A GPU stack that lacks a kernel or returns garbage
 * is found here, while selection can still fall through to the next backend, not in the middle of someone's run.
 */
export function trainingSelfTest(tf: Tf): void {
  tf.tidy(() => {
    const product = tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2])).dataSync();
    const expected = [4, 5, 10, 11];
    if (expected.some((v, i) => Math.abs(product[i] - v) > 1e-4)) throw new Error(`a 2×3 by 3×2 matrix product gave [${Array.from(product).join(', ')}], not [${expected.join(', ')}]`);
    const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => (((i + seed) * 37) % 11) / 11 - 0.5);
    const x = tf.tensor4d(values(2 * 6 * 6 * 2, 1), [2, 6, 6, 2]);
    const kernel = tf.variable(tf.tensor4d(values(3 * 3 * 2 * 4, 2), [3, 3, 2, 4]));
    const dense = tf.variable(tf.tensor2d(values(16 * 3, 3), [16, 3]));
    const { value, grads } = tf.variableGrads(() => {
      const pooled = tf.maxPool(tf.relu(tf.conv2d(x, kernel as tfjs.Tensor4D, 1, 'valid')), 2, 2, 'valid');
      return tf.mean(tf.square(tf.sigmoid(tf.matMul(tf.reshape(pooled, [2, 16]), dense)))) as tfjs.Scalar;
    });
    const all = [value, ...Object.values(grads)];
    for (const t of all) if (!Array.from(t.dataSync()).every(Number.isFinite)) throw new Error('a gradient came back as NaN or infinite');
    if (!Array.from(grads[kernel.name].dataSync()).some((v) => v !== 0)) throw new Error('the convolution kernel got no gradient');
    kernel.dispose();
    dense.dispose();
  });
}
