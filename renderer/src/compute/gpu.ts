/// <reference types="vite/client" />
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendAttempt, BackendInfo, BrowserGpuInfo } from '../../../main/core/api/contract';

/**
 * Which GPU this Chromium page can train on: WebGPU when `navigator.gpu` gives an adapter and the tfjs
 * webgpu backend is bundled, else WebGL (tfjs' webgl backend, part of @tensorflow/tfjs).
 *
 * @tensorflow/tfjs-backend-webgpu is optional: it is picked up at build time when installed
 * (`npm install @tensorflow/tfjs-backend-webgpu@4.22.0`); without it WebGPU is reported as not bundled.
 */

type Tf = typeof tfTypes;

// Resolved by Vite at build time; an empty object when the package is not installed.
const webgpuModules = import.meta.glob('../../../node_modules/@tensorflow/tfjs-backend-webgpu/dist/index.js');

export const WEBGPU_NOT_BUNDLED = 'the WebGPU backend (@tensorflow/tfjs-backend-webgpu) is not part of this build';

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestAdapterInfo?: () => Promise<{ vendor?: string; architecture?: string; device?: string; description?: string }>;
  isFallbackAdapter?: boolean;
}
interface NavigatorGpuLike {
  requestAdapter(opts?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

function navigatorGpu(): NavigatorGpuLike | null {
  return typeof navigator !== 'undefined' && 'gpu' in navigator ? ((navigator as unknown as { gpu: NavigatorGpuLike }).gpu ?? null) : null;
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n').find((l) => l.trim()) ?? m).trim();
}

/** A person-readable name of the WebGPU adapter, e.g. "nvidia ampere (NVIDIA GeForce RTX 3060)". */
export async function webgpuAdapterName(): Promise<{ name: string | null; reason?: string; software?: boolean }> {
  const gpu = navigatorGpu();
  if (!gpu) return { name: null, reason: 'this browser has no WebGPU (navigator.gpu is missing; Chromium needs WebGPU enabled)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { name: null, reason: `WebGPU found no adapter (${message(e)})` };
  }
  if (!adapter) return { name: null, reason: 'WebGPU found no GPU adapter' };
  let info = adapter.info;
  if (!info && adapter.requestAdapterInfo) info = await adapter.requestAdapterInfo().catch(() => undefined);
  const parts = [info?.description, [info?.vendor, info?.architecture].filter(Boolean).join(' '), info?.device].filter((p): p is string => !!p && p.trim().length > 0);
  const name = parts[0] ?? 'unknown adapter';
  const software = adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software|microsoft basic/i.test(parts.join(' '));
  return { name, software };
}

/** The WebGL renderer string (unmasked where the browser allows), e.g. "ANGLE (…, SwiftShader driver)". */
export function webglRendererName(gl?: WebGLRenderingContext | WebGL2RenderingContext | null): { name: string | null; reason?: string } {
  try {
    let ctx = gl ?? null;
    if (!ctx) {
      if (typeof document === 'undefined') return { name: null, reason: 'no document to create a WebGL context in' };
      const canvas = document.createElement('canvas');
      ctx = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGL2RenderingContext | WebGLRenderingContext | null;
    }
    if (!ctx) return { name: null, reason: 'WebGL is not available (no webgl2/webgl context; is hardware acceleration disabled?)' };
    const ext = ctx.getExtension('WEBGL_debug_renderer_info');
    const name = String(ext ? ctx.getParameter(ext.UNMASKED_RENDERER_WEBGL) : ctx.getParameter(ctx.RENDERER));
    return { name };
  } catch (e) {
    return { name: null, reason: `WebGL failed: ${message(e)}` };
  }
}

function isSoftware(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i.test(renderer);
}

export function describeDevice(api: 'WebGPU' | 'WebGL', renderer: string | null, software = renderer ? isSoftware(renderer) : false): string {
  if (software) return `GPU (${api} via Chromium — ${renderer && /swiftshader/i.test(renderer) ? 'SwiftShader software renderer' : 'software renderer'} here)`;
  return `GPU (${api} via Chromium: ${renderer ?? 'unknown adapter'})`;
}

/** Cheap probe without loading tfjs: for the Compute select and the desktop app's engine.info. */
export async function probeBrowserGpu(): Promise<BrowserGpuInfo> {
  const attempts: BackendAttempt[] = [];
  const wgpu = await webgpuAdapterName();
  const bundled = Object.keys(webgpuModules).length > 0;
  if (wgpu.name && bundled) {
    attempts.push({ name: 'webgpu', ok: true });
    return { available: true, backend: 'webgpu', device: describeDevice('WebGPU', wgpu.name, wgpu.software), attempts };
  }
  attempts.push({ name: 'webgpu', ok: false, reason: wgpu.name ? `${WEBGPU_NOT_BUNDLED} (adapter: ${wgpu.name})` : wgpu.reason });
  const gl = webglRendererName();
  if (gl.name) {
    attempts.push({ name: 'webgl', ok: true });
    return { available: true, backend: 'webgl', device: describeDevice('WebGL', gl.name), attempts };
  }
  attempts.push({ name: 'webgl', ok: false, reason: gl.reason });
  return { available: false, attempts };
}

/**
 * Activates the best GPU backend of `tf`: webgpu, else webgl. Throws with every reason when neither works
 * (the person is told to train on Node instead).
 */
export async function selectGpuBackend(tf: Tf, prefer?: 'webgpu' | 'webgl'): Promise<BackendInfo> {
  const attempts: BackendAttempt[] = [];
  const order: ('webgpu' | 'webgl')[] = prefer === 'webgl' ? ['webgl'] : ['webgpu', 'webgl'];
  for (const name of order) {
    try {
      if (name === 'webgpu') {
        const wgpu = await webgpuAdapterName();
        if (!wgpu.name) throw new Error(wgpu.reason ?? 'no WebGPU adapter');
        const loaders = Object.values(webgpuModules);
        if (loaders.length === 0) throw new Error(`${WEBGPU_NOT_BUNDLED} (adapter: ${wgpu.name})`);
        await loaders[0]();
        if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialize');
        await tf.ready();
        attempts.push({ name, ok: true });
        return { name: 'webgpu', device: describeDevice('WebGPU', wgpu.name, wgpu.software), attempts };
      }
      if (!(await tf.setBackend('webgl'))) throw new Error(webglRendererName().reason ?? 'the webgl backend did not initialize');
      await tf.ready();
      const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
      const gl = webglRendererName(backend.gpgpu?.gl ?? null);
      attempts.push({ name, ok: true });
      return { name: 'webgl', device: describeDevice('WebGL', gl.name), attempts };
    } catch (e) {
      attempts.push({ name, ok: false, reason: message(e) });
    }
  }
  throw new Error(`This browser cannot train on its GPU: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}. Train on Node instead.`);
}
