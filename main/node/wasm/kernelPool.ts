import { Worker } from 'node:worker_threads';

/**
 * Worker threads that run the SIMD kernels (simdKernels.ts) on the wasm backend's own shared memory, for a
 * parallel-for: each call hands every thread one set of arguments for the same kernel export, the calling thread
 * runs the first share itself, and returns when all are done. Each share writes its own part of the output
 * (e.g. rows of C), so the results are those of one thread, bit for bit.
 *
 * Handing over work is a generation counter in a SharedArrayBuffer (Atomics.wait / notify), not messages:
 * the workers spin briefly before they sleep, so back-to-back kernels of a training step do not pay a wake-up.
 * The workers are unref'd: they never keep the process alive.
 */

const GEN = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const MAX_ARGS = 19;
const SLOT = MAX_ARGS + 1;

/** Runs in each worker (eval'd: it needs no module of its own). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, binaries, names, control, slot, spin } = workerData;
const exported = {};
for (const b of binaries) Object.assign(exported, new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory } }).exports);
const fns = names.map((n) => exported[n]);
const ctl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, 64 + slot * ${SLOT} * 8, ${SLOT});
let gen = Atomics.load(ctl, ${GEN});
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
for (;;) {
  for (let i = 0; i < spin && Atomics.load(ctl, ${GEN}) === gen; i++);
  Atomics.wait(ctl, ${GEN}, gen);
  gen = Atomics.load(ctl, ${GEN});
  const f = args[0];
  if (f >= 0) {
    try { fns[f].apply(null, args.subarray(1, 1 + fns[f].length)); } catch (e) { Atomics.store(ctl, ${FAILED}, 1); }
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

export interface KernelPool {
  /** Threads that share the work, the calling one included. */
  readonly threads: number;
  /**
   * Whether every worker has started (a worker starts only after the creating thread's event loop has turned:
   * run() before that would wait forever). Callers run single-threaded until then; see whenReady.
   */
  ready(): boolean;
  /** Resolves when ready() (false after timeoutMs). */
  whenReady(timeoutMs?: number): Promise<boolean>;
  /**
   * Calls the kernel export `name` once per share, `shares[0]` on this thread and the others on the workers
   * (at most `threads` shares; fewer leave workers idle). Throws when a share failed.
   */
  run(name: string, shares: readonly (readonly number[])[]): void;
  /** Ends the workers. */
  close(): Promise<void>;
}

/** Busy-wait iterations before sleeping (a few microseconds): kernels of one training step follow each other closely. */
const SPIN = 20_000;
/** A share that takes this long means a worker is gone (a share is milliseconds of work). */
const STALL_MS = 120_000;

export function createKernelPool(memory: WebAssembly.Memory, binaries: Uint8Array<ArrayBuffer>[], names: readonly string[], threads: number): KernelPool {
  const control = new SharedArrayBuffer(64 + threads * SLOT * 8);
  const ctl = new Int32Array(control, 0, 16);
  const workers: Worker[] = [];
  const slots: Float64Array[] = [];
  for (let w = 1; w < threads; w++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, binaries, names: [...names], control, slot: w, spin: SPIN } });
    worker.unref();
    workers.push(worker);
    slots.push(new Float64Array(control, 64 + w * SLOT * 8, SLOT));
  }
  const index = new Map(names.map((n, i) => [n, i]));
  let local: Record<string, (...a: number[]) => void> | null = null;
  const localFns = () => {
    if (!local) {
      local = {};
      for (const b of binaries) Object.assign(local, new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory } }).exports);
    }
    return local;
  };
  let broken: string | null = null;
  for (const worker of workers) {
    worker.on('error', (e) => {
      broken = `a kernel worker stopped: ${e.message}`;
    });
  }

  const ready = () => Atomics.load(ctl, READY) === workers.length && !broken;
  return {
    threads,
    ready,
    async whenReady(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!ready() && !broken && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      return ready();
    },
    run(name, shares) {
      if (broken) throw new Error(broken);
      if (!ready()) throw new Error('kernel pool: run() before its workers started (check ready())');
      const f = index.get(name);
      if (f === undefined) throw new Error(`kernel pool: no kernel '${name}'`);
      if (shares.length > threads) throw new Error(`kernel pool: ${shares.length} shares for ${threads} threads`);
      for (let w = 0; w < workers.length; w++) {
        const share = shares[w + 1];
        const slot = slots[w];
        if (!share) {
          slot[0] = -1;
          continue;
        }
        if (share.length > MAX_ARGS) throw new Error(`kernel pool: ${name} takes at most ${MAX_ARGS} arguments here`);
        slot[0] = f;
        slot.set(share, 1);
      }
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, FAILED, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      const fn = localFns()[name];
      fn(...shares[0]);
      // (A worker's 'error' event cannot arrive while this thread waits: a worker gone silent ends in an error.)
      const deadline = Date.now() + STALL_MS;
      for (let i = 0; Atomics.load(ctl, DONE) < workers.length; i++) {
        if (i > SPIN) {
          const seen = Atomics.load(ctl, DONE);
          if (seen < workers.length) Atomics.wait(ctl, DONE, seen, 100);
          if (Date.now() > deadline) {
            broken = `kernel pool: a worker thread did not finish ${name} within ${STALL_MS / 1000} s`;
            throw new Error(broken);
          }
        }
      }
      if (Atomics.load(ctl, FAILED)) throw new Error(`kernel pool: ${name} failed on a worker thread`);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
