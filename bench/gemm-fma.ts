/**
 * GFLOP/s of the wasm backend's matrix product on one thread, with the fused multiply-add gemm (relaxed SIMD) and
 * without it (NEUROWIRE_NO_FMA=1), each in its own process, alternately; best of many calls, so that a busy machine
 * disturbs it less than a throughput run.
 *
 *   npx tsx bench/gemm-fma.ts [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { useWasmBinariesFromPackage } from '../main/node/backend';
import { startWasmBackend } from '../main/node/wasm/wasmThreads';
import { registerWasmTrainingKernels } from '../main/node/wasm/trainingKernels';
import { simdKernels } from '../main/node/wasm/simdKernels';

const SHAPES: [number, number, number][] = [[64, 784, 128], [256, 256, 256], [64, 1152, 64]];

async function measure(): Promise<void> {
  useWasmBinariesFromPackage();
  if (!(await startWasmBackend(tf, 1))) throw new Error('wasm backend did not start');
  await tf.ready();
  await registerWasmTrainingKernels(tf);
  const fma = simdKernels(tf.backend())?.fma ?? false;
  const out: Record<string, number> = {};
  for (const [m, k, n] of SHAPES) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    let best = Infinity;
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      tf.matMul(a, b).dispose();
      best = Math.min(best, performance.now() - t0);
    }
    out[`${m}x${k}x${n}`] = (2 * m * k * n) / (best * 1e6);
    tf.dispose([a, b]);
  }
  console.log(JSON.stringify({ fma, gflops: out }));
}

if (process.argv.includes('--child')) void measure();
else {
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 3;
  for (let r = 0; r < rounds; r++) {
    for (const noFma of ['1', '0']) {
      const res = spawnSync(process.execPath, ['--import', 'tsx', process.argv[1], '--child'], { encoding: 'utf8', env: { ...process.env, NEUROWIRE_NO_FMA: noFma } });
      const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) throw new Error(res.stderr);
      const { fma, gflops } = JSON.parse(line) as { fma: boolean; gflops: Record<string, number> };
      console.log(`${fma ? 'fma  ' : 'plain'}  ${Object.entries(gflops).map(([s, g]) => `${s} ${g.toFixed(1)} GFLOP/s`).join('   ')}`);
    }
  }
}
