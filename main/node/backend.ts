import * as tfjs from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import type { BackendAttempt, BackendInfo } from '../core/api/contract';
import { registerWasmTrainingKernels } from './wasm/trainingKernels';
import { startWebGpuBackend } from './webgpuNode';
import { defaultThreadCount, parseThreadCount, startWasmBackend, wasmThreadCount } from './wasm/wasmThreads';

/**
 * Picks the fastest tfjs backend that can train the network on this machine:
 *   1. @tensorflow/tfjs-node-gpu  (native TensorFlow with CUDA)
 *   2. webgpu                      (@tensorflow/tfjs-backend-webgpu on Dawn, the optional `webgpu` package: any GPU with Vulkan, D3D12 or Metal)
 *   3. @tensorflow/tfjs-node      (native TensorFlow on the CPU)
 *   4. wasm                        (@tensorflow/tfjs-backend-wasm, with the training kernels it lacks registered by ./wasm/trainingKernels)
 *   5. cpu                         (plain JavaScript, always works)
 * The native packages are optionalDependencies whose install downloads libtensorflow; where that failed
 * they are simply not there, so they are required at run time and their failure is recorded, never fatal.
 * WebGPU needs an adapter; without a GPU Dawn reports none (time-boxed, see ./webgpuNode) and the reason is recorded.
 */

export type Tf = typeof tfjs;

export const BACKEND_NAMES = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

/** `require` that works in tsx/CJS, under vitest and inside an esbuild CJS bundle. */
const nodeRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'index.js'));

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return (msg.split('\n').find((l) => l.trim().length > 0) ?? msg).trim();
}

/** Aliases accepted for `prefer` (UI, CLI flags, env var). */
function normalizePreference(prefer: string): BackendChoice {
  const p = prefer.trim().toLowerCase();
  if (p === 'gpu' || p === 'cuda' || p === 'tfjs-node-gpu' || p === '@tensorflow/tfjs-node-gpu') return 'tfjs-node-gpu';
  if (p === 'webgpu' || p === 'dawn') return 'webgpu';
  if (p === 'tensorflow' || p === 'node' || p === 'native' || p === 'tfjs-node' || p === '@tensorflow/tfjs-node') return 'tfjs-node';
  if (p === 'wasm' || p === 'webassembly') return 'wasm';
  if (p === 'cpu' || p === 'js') return 'cpu';
  throw new Error(`Unknown backend "${prefer}". Use one of: ${BACKEND_NAMES.join(', ')}.`);
}

/**
 * Whether an NVIDIA GPU is visible to this process. tfjs-node-gpu has no API that lists devices, and
 * libtensorflow silently falls back to the CPU when CUDA finds no GPU, so we look at the driver instead.
 */
function visibleNvidiaGpus(): { count: number; how: string } {
  if (process.env.CUDA_VISIBLE_DEVICES !== undefined && /^\s*(-1)?\s*$/.test(process.env.CUDA_VISIBLE_DEVICES)) {
    return { count: 0, how: 'CUDA_VISIBLE_DEVICES hides every GPU' };
  }
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const count = out.split('\n').filter((l) => /^GPU \d+/.test(l)).length;
    return { count, how: 'nvidia-smi -L' };
  } catch {
    try {
      const count = fs.readdirSync('/proc/driver/nvidia/gpus').length;
      return { count, how: '/proc/driver/nvidia/gpus' };
    } catch {
      return { count: 0, how: 'no nvidia-smi and no NVIDIA driver found' };
    }
  }
}

async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Tf> {
  // A computed name keeps bundlers from trying to inline the optional native package.
  const name: string = pkg;
  const tf = nodeRequire(name) as Tf;
  await tf.setBackend('tensorflow');
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error(`${pkg} loaded but its "tensorflow" backend did not activate (got "${tf.getBackend()}")`);
  return tf;
}

let wasmPathsSet = false;

/**
 * Points tfjs's wasm backend at the package's own .wasm binaries: in Node they are read from disk, and the package's
 * dist folder is right even from a bundle whose __dirname is elsewhere. Once per process; tests use it too.
 */
export function useWasmBinariesFromPackage(): void {
  if (wasmPathsSet) return;
  const wasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  wasmPathsSet = true;
}

/** Threads for CPU training: the option, else NEUROWIRE_THREADS, else the free cores (defaultThreadCount). */
export function cpuThreadCount(threads?: number): number {
  if (threads !== undefined) return parseThreadCount(threads, 'threads');
  const env = process.env.NEUROWIRE_THREADS;
  return env ? parseThreadCount(env, 'NEUROWIRE_THREADS') : defaultThreadCount();
}

async function tryWasm(threads: number): Promise<Tf> {
  useWasmBinariesFromPackage();
  let ok: boolean;
  try {
    ok = await startWasmBackend(tfjs, threads);
  } catch (e) {
    if (threads === 1) throw e;
    // The threaded build did not start: the single-threaded one still trains.
    console.warn(`wasm backend: ${threads} threads failed (${firstLine(e)}); using 1`);
    ok = await startWasmBackend(tfjs, 1);
  }
  if (!ok) throw new Error('tf.setBackend("wasm") returned false (the WebAssembly module did not initialize)');
  await tfjs.ready();
  // Stock wasm cannot train convolutions or embeddings and is slow on some gradients; add what it lacks.
  await registerWasmTrainingKernels(tfjs);
  return tfjs;
}

async function tryCpu(): Promise<Tf> {
  const ok = await tfjs.setBackend('cpu');
  if (!ok) throw new Error('tf.setBackend("cpu") returned false');
  await tfjs.ready();
  return tfjs;
}

async function describeDevice(choice: BackendChoice, tf: Tf, note?: string): Promise<string> {
  switch (choice) {
    case 'tfjs-node-gpu':
      return note ?? 'GPU (CUDA)';
    case 'webgpu':
      return note ?? 'GPU (WebGPU)';
    case 'tfjs-node':
      return 'CPU (native TensorFlow)';
    case 'wasm': {
      let simd = false;
      try {
        simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      } catch {
        /* flag unknown: report without SIMD */
      }
      const threads = wasmThreadCount();
      return `${simd ? 'CPU (WebAssembly SIMD' : 'CPU (WebAssembly'}, ${threads} thread${threads === 1 ? '' : 's'})`;
    }
    case 'cpu':
      return 'CPU (plain JavaScript)';
  }
}

export interface SelectBackendOptions {
  /** Force one backend (see BACKEND_NAMES; also "gpu", "tensorflow", "webassembly"...). A forced backend that fails to load is an error. */
  prefer?: string;
  /** Threads for CPU training on wasm (default: NEUROWIRE_THREADS, else the free cores; see cpuThreadCount). */
  threads?: number;
}

/**
 * Activates the best backend and returns the tf namespace to use with it. When a native package loads,
 * its own tf object is returned (tfjs-node re-exports the full namespace and may carry its own copy of
 * @tensorflow/tfjs), so models must be built with the returned `tf`, not a separately imported one.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<{ tf: Tf; info: BackendInfo }> {
  const attempts: BackendAttempt[] = [];
  const forced = opts.prefer ? normalizePreference(opts.prefer) : undefined;
  const threads = cpuThreadCount(opts.threads);
  const order: BackendChoice[] = forced ? [forced] : [...BACKEND_NAMES];

  for (const choice of order) {
    try {
      let tf: Tf;
      let note: string | undefined;
      let reason: string | undefined;
      if (choice === 'tfjs-node-gpu') {
        tf = await tryNative('@tensorflow/tfjs-node-gpu');
        const gpus = visibleNvidiaGpus();
        if (gpus.count > 0) {
          note = `GPU (CUDA, ${gpus.count} NVIDIA GPU${gpus.count === 1 ? '' : 's'} visible)`;
        } else {
          // libtensorflow's GPU build still runs, on the CPU; it is the fastest thing left, so keep it.
          note = 'CPU (native TensorFlow, GPU build: no GPU visible)';
          reason = `loaded, but no NVIDIA GPU is visible (${gpus.how}); TensorFlow runs on the CPU`;
        }
      } else if (choice === 'webgpu') {
        const { adapter } = await startWebGpuBackend(tfjs);
        tf = tfjs;
        note = `GPU (WebGPU via Dawn: ${adapter})`;
      } else if (choice === 'tfjs-node') {
        tf = await tryNative('@tensorflow/tfjs-node');
      } else if (choice === 'wasm') {
        tf = await tryWasm(threads);
      } else {
        tf = await tryCpu();
      }
      attempts.push(reason ? { name: choice, ok: true, reason } : { name: choice, ok: true });
      const info: BackendInfo = { name: tf.getBackend(), device: await describeDevice(choice, tf, note), attempts };
      return { tf, info };
    } catch (e) {
      let reason = firstLine(e);
      if ((e as { code?: string }).code === 'MODULE_NOT_FOUND' && (choice === 'tfjs-node' || choice === 'tfjs-node-gpu') && reason.includes(`@tensorflow/${choice}'`)) {
        reason = `${reason} (not installed: it is an optional dependency whose install downloads libtensorflow)`;
      } else if ((e as { code?: string }).code === 'MODULE_NOT_FOUND' && choice === 'webgpu' && reason.includes(`'webgpu'`)) {
        reason = `${reason} (not installed: the optional dependency \`webgpu\`, Dawn for Node)`;
      }
      attempts.push({ name: choice, ok: false, reason });
    }
  }
  const summary = attempts.map((a) => `${a.name}: ${a.reason ?? 'failed'}`).join('; ');
  throw new Error(forced ? `The ${forced} backend could not be started — ${summary}` : `No TensorFlow.js backend could be started — ${summary}`);
}
