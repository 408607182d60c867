/**
 * Where splitting a kernel call over the kernel pool starts to pay: for products of growing size (and the
 * LSTM bench model's per-step shapes), the median time of one call on this thread alone and split over the pool
 * (the pool's back-off off, so every call is split), measured alternately. Also the cost of handing over a call
 * whose shares do nothing. The thresholds (SHARE_MIN_MACS in simdKernels.ts, the *_SHARE_MIN_* constants
 * beside the other kernels) come from here; run it on a quiet machine.
 *
 *   npx tsx bench/kernel-split.ts [--threads 2] [--reps 200]
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { useWasmBinariesFromPackage } from '../main/node/backend';
import { startWasmBackend, wasmThreadCount } from '../main/node/wasm/wasmThreads';
import { registerWasmTrainingKernels } from '../main/node/wasm/trainingKernels';
import { heapPtr, simdKernels, type SimdKernels } from '../main/node/wasm/simdKernels';
import { median } from './models';

function arg(flag: string, dflt: number): number {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Median µs of `single` and `split`, run alternately `reps` times each. */
function compare(reps: number, single: () => void, split: () => void): [number, number] {
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < 5; i++) {
    single();
    split();
  }
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    single();
    a.push(performance.now() - t);
    t = performance.now();
    split();
    b.push(performance.now() - t);
  }
  return [median(a) * 1000, median(b) * 1000];
}

async function main(): Promise<void> {
  const threads = arg('--threads', 2), reps = arg('--reps', 200);
  useWasmBinariesFromPackage();
  if (!(await startWasmBackend(tf, threads))) throw new Error('wasm backend did not start');
  await tf.ready();
  await registerWasmTrainingKernels(tf);
  const sk = simdKernels(tf.backend()) as SimdKernels;
  const pool = sk.pool;
  if (!pool) throw new Error(`no kernel pool with ${wasmThreadCount()} thread(s)`);
  pool.setAdaptive(false);
  console.log(`${wasmThreadCount()} threads; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus()[0]?.model} x${os.availableParallelism()}`);

  // colSumF64 over 0 rows: a share that does nothing.
  const [empty, handOver] = compare(reps, () => {}, () => pool.run('colSumF64', Array.from({ length: threads }, () => [0, 0, 0, 0, 0])));
  console.log(`hand-over of a call with empty shares: ${handOver.toFixed(1)} µs (timer ${empty.toFixed(1)} µs)`);

  console.log('product M x K x N        MACs     1 thread   split   split/1');
  const shapes: [number, number, number][] = [
    [64, 64, 256], [64, 256, 64], [32, 128, 128], [64, 128, 128], [64, 256, 256], [128, 256, 256], [256, 256, 256], [64, 784, 128], [64, 1600, 64], [288, 7744, 64],
  ];
  for (const [M, K, N] of shapes) {
    const a = tf.randomUniform([M, K], -1, 1, 'float32', 1), b = tf.randomUniform([K, N], -1, 1, 'float32', 2), c = tf.zeros([M, N]);
    const be = tf.backend();
    const [pa, pb, pc] = [a, b, c].map((t) => heapPtr(be, t.dataId));
    const [one, split] = compare(
      reps,
      () => sk.gemm(pa, pb, pc, M, K, N, K * 4, N * 4, N * 4),
      () => {
        // The pool's own split, even below the size where simdGemm would split.
        const rows = Math.ceil(M / threads / 4) * 4;
        const shares: number[][] = [];
        for (let r = 0; r < M; r += rows) shares.push([pa + r * K * 4, pb, pc + r * N * 4, Math.min(rows, M - r), K, N, K * 4, N * 4, N * 4]);
        pool.run('gemm', shares);
      },
    );
    console.log(`${`${M} x ${K} x ${N}`.padEnd(22)} ${(M * K * N / 1e6).toFixed(2).padStart(6)} M ${one.toFixed(0).padStart(8)} µs ${split.toFixed(0).padStart(6)} µs ${(split / one).toFixed(2).padStart(6)}`);
    tf.dispose([a, b, c]);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
