import { Worker } from 'node:worker_threads';

/**
 * Worker threads that run the SIMD kernels (simdKernels.ts) on the wasm backend's own shared memory, for a
 * parallel-for: each call hands over a list of shares (argument sets for the same kernel export, each writing
 * its own part of the output, e.g. rows of C), and the calling thread and the workers claim shares one at a time
 * until none is left. Which thread runs a share changes nothing in it, so the results are those of one thread,
 * bit for bit.
 *
 * Claiming (rather than one fixed share per thread) is what keeps a busy machine from making threads slower
 * than one: a worker that has no core at the moment claims nothing, and the calling thread runs its shares
 * itself instead of waiting for the worker's next time slice. What claiming cannot help is a worker that loses
 * its core in the middle of a share; so the pool also watches whether splitting pays (see worthSplitting) and,
 * when calls take longer split than this thread alone would have taken, runs them on one thread for a while.
 *
 * Handing over work is a generation counter in a SharedArrayBuffer (Atomics.wait / notify), not messages:
 * the workers spin briefly before they sleep, so back-to-back kernels of a training step do not pay a wake-up.
 * The workers are unref'd: they never keep the process alive.
 */

// Int32 slots of the control block.
const GEN = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
/**
 * The call's share count and the next unclaimed share in one word (count·65536 + next), claimed by
 * compare-exchange: a thread that read it during an earlier call cannot claim in a later one.
 */
const CLAIM = 4;
const KERNEL = 5;
const MAX_ARGS = 19;
/** Shares per call at most (a few per thread: see sharesFor in simdKernels.ts). */
export const MAX_SHARES = 64;
const ARGS_BYTES = 64;

/**
 * The share loop, the same text on the workers and on the calling thread: claim the next share, run it, count
 * it done. Returns how many shares this thread ran.
 */
const RUN_SHARES_SOURCE = `(ctl, args, fns) => {
  let ran = 0;
  for (;;) {
    const word = Atomics.load(ctl, ${CLAIM});
    const i = word & 0xffff;
    if (i >= word >>> 16) return ran;
    if (Atomics.compareExchange(ctl, ${CLAIM}, word, word + 1) !== word) continue;
    const f = fns[Atomics.load(ctl, ${KERNEL})];
    try {
      f.apply(null, args.subarray(i * ${MAX_ARGS}, i * ${MAX_ARGS} + f.length));
    } catch (e) {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    ran++;
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}`;

/** Runs in each worker (eval'd: it needs no module of its own). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, binaries, names, control, spin } = workerData;
const exported = {};
for (const b of binaries) Object.assign(exported, new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory } }).exports);
const fns = names.map((n) => exported[n]);
const ctl = new Int32Array(control, 0, 16);
const args = new Float64Array(control, ${ARGS_BYTES});
const runShares = ${RUN_SHARES_SOURCE};
let gen = Atomics.load(ctl, ${GEN});
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
for (;;) {
  for (let i = 0; i < spin && Atomics.load(ctl, ${GEN}) === gen; i++);
  Atomics.wait(ctl, ${GEN}, gen);
  gen = Atomics.load(ctl, ${GEN});
  runShares(ctl, args, fns);
}
`;

type RunShares = (ctl: Int32Array, args: Float64Array, fns: ((...a: number[]) => void)[]) => number;
// The same text the workers run.
const runShares = new Function(`return ${RUN_SHARES_SOURCE}`)() as RunShares;

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
   * Whether a call is worth splitting now: ready(), and recent split calls did not take longer than this thread
   * alone would have (estimated from the time of the shares it ran itself). When they did (a busy machine: a
   * worker lost its core in the middle of a share), false for a while (BACKOFF_MS, doubled while the calls that
   * try again keep losing, up to MAX_BACKOFF_MS), then splitting is tried again.
   */
  worthSplitting(): boolean;
  /** Turns the watching of worthSplitting off (always ready()) or on; for tests, which must not depend on load. */
  setAdaptive(on: boolean): void;
  /**
   * Calls the kernel export `name` once per share (at most MAX_SHARES), on whichever threads claim them, this
   * one included; returns when all are done. Throws when a share failed.
   */
  run(name: string, shares: readonly (readonly number[])[]): void;
  /** Ends the workers. */
  close(): Promise<void>;
}

/**
 * Busy-wait iterations before a worker sleeps (a few microseconds): kernels of one training step follow each
 * other closely. Kept short: on a busy machine a spinning worker takes the core the calling thread needs.
 */
const SPIN = 20_000;
/** A share that takes this long means a worker is gone (a share is milliseconds of work). */
const STALL_MS = 120_000;
/** How long calls run on one thread after splitting stopped paying (a probe of a busy machine costs a slow call). */
const BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
/** Weight of the latest call in the running mean of (time split) / (time on one thread, estimated). */
const RATIO_WEIGHT = 0.1;

export function createKernelPool(memory: WebAssembly.Memory, binaries: Uint8Array<ArrayBuffer>[], names: readonly string[], threads: number): KernelPool {
  const control = new SharedArrayBuffer(ARGS_BYTES + MAX_SHARES * MAX_ARGS * 8);
  const ctl = new Int32Array(control, 0, 16);
  const args = new Float64Array(control, ARGS_BYTES);
  const workers: Worker[] = [];
  for (let w = 1; w < threads; w++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, binaries, names: [...names], control, spin: SPIN } });
    worker.unref();
    workers.push(worker);
  }
  const index = new Map(names.map((n, i) => [n, i]));
  let local: ((...a: number[]) => void)[] | null = null;
  const localFns = () => {
    if (!local) {
      const exported: Record<string, (...a: number[]) => void> = {};
      for (const b of binaries) Object.assign(exported, new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory } }).exports);
      local = names.map((n) => exported[n]);
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
  let adaptive = true;
  /** Running mean of (time split) / (estimated time on this thread alone); above 1 splitting costs time. */
  let ratio = 0.5;
  let singleUntil = 0;
  let backoffMs = BACKOFF_MS;
  /** Whether the calls since splitting was tried again have all been split at a loss so far. */
  let probing = false;
  return {
    threads,
    ready,
    worthSplitting() {
      if (!ready()) return false;
      if (!adaptive || singleUntil === 0) return true;
      if (performance.now() < singleUntil) return false;
      // Try again; one more slow call backs off at once (for twice as long).
      singleUntil = 0;
      ratio = 0.95;
      probing = true;
      return true;
    },
    setAdaptive(on) {
      adaptive = on;
      ratio = 0.5;
      singleUntil = 0;
      backoffMs = BACKOFF_MS;
      probing = false;
    },
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
      if (shares.length > MAX_SHARES) throw new Error(`kernel pool: ${shares.length} shares (at most ${MAX_SHARES})`);
      for (let i = 0; i < shares.length; i++) {
        if (shares[i].length > MAX_ARGS) throw new Error(`kernel pool: ${name} takes at most ${MAX_ARGS} arguments here`);
        args.set(shares[i], i * MAX_ARGS);
      }
      // Everything a claimer reads is in place before the claim word opens the call.
      Atomics.store(ctl, KERNEL, f);
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, FAILED, 0);
      Atomics.store(ctl, CLAIM, shares.length * 65536);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      const t0 = performance.now();
      const mine = runShares(ctl, args, localFns());
      const t1 = performance.now();
      // What is left are shares a worker has claimed and is running. (A worker's 'error' event cannot arrive
      // while this thread waits: a worker gone silent ends in an error.)
      const count = shares.length;
      const deadline = Date.now() + STALL_MS;
      for (let i = 0; Atomics.load(ctl, DONE) < count; i++) {
        if (i > SPIN) {
          const seen = Atomics.load(ctl, DONE);
          if (seen < count) Atomics.wait(ctl, DONE, seen, 100);
          if (Date.now() > deadline) {
            broken = `kernel pool: a worker thread did not finish ${name} within ${STALL_MS / 1000} s`;
            throw new Error(broken);
          }
        }
      }
      if (Atomics.load(ctl, FAILED)) throw new Error(`kernel pool: ${name} failed on one of its shares`);
      if (adaptive && mine > 0 && t1 > t0) {
        ratio += RATIO_WEIGHT * ((performance.now() - t0) / (((t1 - t0) * count) / mine) - ratio);
        if (ratio > 1) {
          backoffMs = probing ? Math.min(2 * backoffMs, MAX_BACKOFF_MS) : BACKOFF_MS;
          singleUntil = performance.now() + backoffMs;
        } else if (ratio < 0.9) probing = false;
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
