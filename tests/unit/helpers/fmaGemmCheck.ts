/**
 * Run by wasm-threads.test.ts in a child Node with relaxed SIMD on (Node 20 has it behind
 * --experimental-wasm-relaxed-simd): the fused multiply-add GEMM on the threaded backend, pooled and on one
 * thread, against the cpu backend. Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs';
import { useWasmBinariesFromPackage } from '../../../main/node/backend';
import { startWasmBackend } from '../../../main/node/wasm/wasmThreads';
import { registerWasmTrainingKernels } from '../../../main/node/wasm/trainingKernels';
import { heapPtr, simdKernels, type SimdKernels } from '../../../main/node/wasm/simdKernels';
import { rng } from './seeded';

async function main(): Promise<void> {
  useWasmBinariesFromPackage();
  await startWasmBackend(tf, 2);
  await tf.ready();
  await registerWasmTrainingKernels(tf);
  const sk = simdKernels(tf.backend()) as SimdKernels;
  const cases: { shape: number[]; samePooled: boolean; relErr: number }[] = [];
  for (const [M, K, N] of [[64, 784, 128], [6, 2000, 100], [130, 300, 36]]) {
    const r = rng(M + K + N);
    const av = r.values(M * K), bv = r.values(K * N);
    const a = tf.tensor2d(av, [M, K]), b = tf.tensor2d(bv, [K, N]);
    const pooled = tf.matMul(a, b).dataSync() as Float32Array;
    const single = tf.zeros([M, N]);
    const be = tf.backend();
    sk.gemm(heapPtr(be, a.dataId), heapPtr(be, b.dataId), heapPtr(be, single.dataId), M, K, N, K * 4, N * 4, N * 4);
    const samePooled = Array.from(pooled).every((v, i) => Object.is(v, single.dataSync()[i]));
    await tf.setBackend('cpu');
    const ref = tf.matMul(tf.tensor2d(av, [M, K]), tf.tensor2d(bv, [K, N])).dataSync();
    await tf.setBackend('wasm');
    let err = 0, scale = 0;
    for (let i = 0; i < ref.length; i++) {
      scale = Math.max(scale, Math.abs(ref[i]));
      err = Math.max(err, Math.abs(ref[i] - pooled[i]));
    }
    cases.push({ shape: [M, K, N], samePooled, relErr: err / Math.max(1, scale) });
  }
  console.log(JSON.stringify({ fma: sk.fma, pool: sk.pool?.ready() ?? false, cases }));
  process.exit(0);
}

void main();
