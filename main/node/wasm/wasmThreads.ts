import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import type * as tfjs from '@tensorflow/tfjs';

/**
 * Threads for the tfjs `wasm` backend in Node.
 *
 * @tensorflow/tfjs-backend-wasm 4.22 ships a threaded build (tfjs-backend-wasm-threaded-simd.wasm: shared memory,
 * XNNPACK on a pthread pool) but never uses it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is false there, and
 * the Emscripten glue starts its pthread workers from `blob:` URLs, which worker_threads refuses. This module
 * makes that build start in Node:
 *  - the flag is set before the backend initialises;
 *  - while it initialises, Blobs made from strings remember their text, so that
 *  - `new Worker(blob URL)` (the glue's global Worker, a subclass of worker_threads' Worker) runs that text with
 *    `eval: true`, and the glue's main script, sent to each worker as a Blob, is written once to a file in the
 *    temp folder (with the bundle's own `require$$N` module bindings in front, which its text refers to);
 *  - os.cpus() is stretched while the backend initialises: the C++ side caps its pool at half the logical cores.
 * With one thread the ordinary (unshared) SIMD build is used, exactly as before.
 */

type Tf = typeof tfjs;
const nodeRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(path.join(process.cwd(), 'index.js'));

/**
 * The number of threads CPU training uses unless told otherwise: every core this process may use that other work
 * is not already using (cores minus the 1-minute load average, at least 1). Threads that must wait for a time
 * slice at every hand-over make training slower, not faster: measured on a 2-core machine at load 13-28, 2 threads
 * ran at 0.16-0.5x of 1 thread (PyTorch: 0.06-0.2x). Where the OS reports no load (Windows), every core.
 */
export function defaultThreadCount(cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length, load = os.loadavg()[0]): number {
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

/** A thread count from a flag, setting or env var: a whole number ≥ 1, or a clear error naming `what`. */
export function parseThreadCount(value: unknown, what: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256) throw new Error(`${what} must be a whole number from 1 to 256 (got ${JSON.stringify(value)})`);
  return n;
}

/** Text of the Blobs built from strings while the backend starts, by their object URL. */
const blobTexts = new Map<string, string>();
/** The pthread worker's script, once seen (the glue makes a new Blob for every worker it adds later). */
let pthreadWorkerSource: string | null = null;
/** The glue's main script, written to a file that the pthread workers load. */
let mainScriptFile: string | null = null;

/** The `var require$$N = require('…')` bindings at the top of the tfjs-backend-wasm bundle. */
function bundleRequireBindings(): string {
  const bundle = fs.readFileSync(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8').slice(0, 20_000);
  const lines = bundle.match(/^var require\$\$\d+ = require\('[^']+'\);$/gm) ?? [];
  return `${lines.join('\n')}\nvar commonjsGlobal = globalThis;\n`;
}

function writeMainScript(text: string): string {
  if (mainScriptFile) return mainScriptFile;
  const source = bundleRequireBindings() + text;
  const file = path.join(os.tmpdir(), `neurowire-tfjs-wasm-threaded-${crypto.createHash('sha256').update(source).digest('hex').slice(0, 16)}.js`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, source);
    fs.renameSync(tmp, file);
  }
  mainScriptFile = file;
  return file;
}

/** The glue's workers made while the backend starts; unref'd once it has (see GlueWorker). */
const startingWorkers: NodeWorker[] = [];
let backendStarted = false;

/**
 * worker_threads' Worker, plus what the Emscripten glue needs: blob URLs of known text, a Blob main script.
 * The pthread workers never end, so they must not keep the process alive (the glue does not unref them): unref'd
 * once the backend has started — not before, since the start awaits their messages and nothing else may be
 * holding the event loop open.
 */
class GlueWorker extends NodeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    const href = String(url);
    const text = blobTexts.get(href) ?? (href.startsWith('blob:') ? pthreadWorkerSource : null);
    if (text == null) super(url, options);
    else {
      pthreadWorkerSource ??= text;
      super(text, { eval: true });
    }
    if (backendStarted) this.unref();
    else startingWorkers.push(this);
  }

  override postMessage(message: unknown, transfer?: readonly (ArrayBuffer | import('node:worker_threads').TransferListItem)[]): void {
    const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
    if (m && m.cmd === 'load' && m.urlOrBlob instanceof Blob) {
      const text = recordedText(m.urlOrBlob);
      if (text == null) throw new Error('wasm threads: the backend sent its workers a script this engine did not see being made');
      message = { ...m, urlOrBlob: writeMainScript(text) };
    }
    super.postMessage(message, transfer as never);
  }
}

const blobText = new WeakMap<Blob, string>();
const recordedText = (b: Blob) => blobText.get(b) ?? null;

/** Runs `start` with the patches above in place; the global Worker stays (the glue may add workers later). */
async function withGluePatches<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const g = globalThis as unknown as { Blob: typeof Blob; Worker?: unknown };
  const RealBlob = g.Blob;
  const realCreate = URL.createObjectURL;
  const realCpus = os.cpus;
  g.Blob = class RecordingBlob extends RealBlob {
    constructor(parts: ConstructorParameters<typeof Blob>[0] = [], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts, options);
      if (parts && parts.every((p) => typeof p === 'string')) blobText.set(this, parts.join(''));
    }
  };
  URL.createObjectURL = (obj: Blob) => {
    const url = realCreate(obj);
    const text = blobText.get(obj);
    if (text !== undefined) blobTexts.set(url, text);
    return url;
  };
  // The glue assigns worker_threads' Worker to the global on start; keep ours.
  Object.defineProperty(globalThis, 'Worker', { get: () => GlueWorker, set: () => {}, configurable: true });
  const cpus = realCpus();
  os.cpus = () => Array.from({ length: Math.max(cpus.length, 2 * threads) }, (_, i) => cpus[i % cpus.length]);
  try {
    return await start();
  } finally {
    backendStarted = true;
    for (const w of startingWorkers.splice(0)) w.unref();
    g.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    os.cpus = realCpus;
  }
}

let requested: number | null = null;

/**
 * `tf.setBackend('wasm')` with `threads` threads. The count only takes effect when the backend starts here: once
 * started (this process's first setBackend('wasm')), it keeps the threads it started with (see wasmThreadCount).
 */
export async function startWasmBackend(tf: Tf, threads: number): Promise<boolean> {
  const wasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  // (tf.findBackend would start the backend itself.)
  const started = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry.wasm != null;
  if (!started) {
    requested = threads;
    wasm.setThreadsCount(threads);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (threads > 1) {
      if (typeof SharedArrayBuffer === 'undefined') throw new Error('wasm threads need SharedArrayBuffer, which this runtime lacks');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      return withGluePatches(threads, () => tf.setBackend('wasm'));
    }
  }
  return tf.setBackend('wasm');
}

/** Threads the wasm backend really runs with (1 before it started or on the unshared build). */
export function wasmThreadCount(): number {
  const wasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    return Math.max(1, wasm.getThreadsCount());
  } catch {
    return requested ?? 1;
  }
}
