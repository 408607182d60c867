/// <reference lib="dom" />
/**
 * The browser side of `npm run bench -- --backend webgl,webgpu`: bundled by bench/gpu/chromium.ts with Vite,
 * loaded in Chromium. It picks the backend the way the app's compute page does (renderer/src/compute/gpu.ts)
 * and trains the bench's own models with the bench's own loop (bench/models.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { selectGpuBackend, webglRendererName, webgpuAdapterName } from '../../renderer/src/compute/gpu';
import { buildBenchModel, measureTraining, type Measured, type ModelName, type Plan } from '../models';

export type GpuBackendName = 'webgl' | 'webgpu';

export type GpuRunOutcome =
  | (Measured & { ok: true; adapter: string; software: boolean; peakTensorMB: number; peakGpuMB: number | null })
  | { ok: false; reason: string; started: boolean };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The adapter the backend really runs on: WebGL's unmasked renderer string, or the WebGPU adapter's info. */
async function adapterOf(backend: GpuBackendName): Promise<{ adapter: string; software: boolean }> {
  if (backend === 'webgpu') {
    const a = await webgpuAdapterName();
    return { adapter: a.name ?? a.reason ?? 'unknown adapter', software: a.software === true };
  }
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl ?? null;
  const name = webglRendererName(gl).name ?? 'unknown renderer';
  return { adapter: name, software: /swiftshader|llvmpipe|softpipe|software/i.test(name) };
}

async function run(backend: GpuBackendName, model: ModelName, plan: Plan): Promise<GpuRunOutcome> {
  try {
    const info = await selectGpuBackend(tf, backend);
    // Asked for webgpu, selectGpuBackend falls back to webgl: that is a webgpu that cannot start.
    if (info.name !== backend) return { ok: false, started: false, reason: info.attempts.find((a) => a.name === backend)?.reason ?? `${backend} did not start` };
  } catch (e) {
    return { ok: false, started: false, reason: message(e) };
  }
  try {
    const { adapter, software } = await adapterOf(backend);
    const { m, xShape } = buildBenchModel(tf, model);
    let peakTensor = 0;
    let peakGpu: number | null = null;
    const measured = await measureTraining(tf, m, xShape, plan, () => {
      const mem = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number; numBytesAllocatedInGPU?: number };
      peakTensor = Math.max(peakTensor, mem.numBytes);
      const gpu = mem.numBytesInGPUAllocated ?? mem.numBytesAllocatedInGPU;
      if (gpu !== undefined) peakGpu = Math.max(peakGpu ?? 0, gpu);
    });
    m.dispose();
    return { ok: true, ...measured, adapter, software, peakTensorMB: peakTensor / 2 ** 20, peakGpuMB: peakGpu === null ? null : peakGpu / 2 ** 20 };
  } catch (e) {
    return { ok: false, started: true, reason: message(e) };
  }
}

(window as unknown as { neurowireBench: { run: typeof run } }).neurowireBench = { run };
