import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cpuThreadCount, useWasmBinariesFromPackage } from '../../main/node/backend';
import { defaultThreadCount, parseThreadCount, startWasmBackend, wasmThreadCount } from '../../main/node/wasm/wasmThreads';
import { createFusedAdam, fusedLstm, registerWasmTrainingKernels } from '../../main/node/wasm/trainingKernels';
import { backendMemory, heapPtr, simdKernels, type SimdKernels } from '../../main/node/wasm/simdKernels';
import { compileWat, fusedMultiplyAdd } from '../../main/node/wasm/compileWat';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rng } from './helpers/seeded';

/**
 * The threaded wasm backend (tfjs's threaded build started under worker_threads) with 2 threads, and the SIMD
 * GEMM split over the kernel pool: each product equals the one-thread GEMM bit for bit and the cpu backend
 * within float32 rounding; gradients of a small CNN + MLP match cpu. (This file runs in its own process, so its
 * backend starts threaded whatever the other files do.)
 */

let sk: SimdKernels;

beforeAll(async () => {
  useWasmBinariesFromPackage();
  expect(await startWasmBackend(tf, 2)).toBe(true);
  await tf.ready();
  await registerWasmTrainingKernels(tf);
  sk = simdKernels(tf.backend()) as SimdKernels;
  // Splitting must not depend on how busy the machine is here (see worthSplitting).
  sk.pool?.setAdaptive(false);
});

function maxError(a: Float32Array, b: Float32Array): { err: number; scale: number } {
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    const e = Math.abs(a[i] - b[i]);
    err = Number.isNaN(e) ? Infinity : Math.max(err, e);
  }
  return { err, scale };
}

async function onCpu<T>(fn: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

describe('threaded wasm backend', () => {
  it('starts with 2 threads on shared memory, with a started kernel pool', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmThreadCount()).toBe(2);
    expect(backendMemory(tf.backend())?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sk.pool?.threads).toBe(2);
    expect(sk.pool?.ready()).toBe(true);
  });

  it('default thread count: the cores other work leaves free, at least one', () => {
    expect(defaultThreadCount(8, 0)).toBe(8);
    expect(defaultThreadCount(8, 0.4)).toBe(8);
    expect(defaultThreadCount(8, 2.6)).toBe(5);
    expect(defaultThreadCount(2, 20)).toBe(1);
    expect(defaultThreadCount(16, -1)).toBe(16);
  });

  it('thread counts: options, NEUROWIRE_THREADS and clear errors', () => {
    expect(cpuThreadCount(3)).toBe(3);
    expect(parseThreadCount('4', '--threads')).toBe(4);
    expect(() => parseThreadCount('0', '--threads')).toThrow(/--threads must be a whole number/);
    expect(() => parseThreadCount('two', 'NEUROWIRE_THREADS')).toThrow(/NEUROWIRE_THREADS/);
    const saved = process.env.NEUROWIRE_THREADS;
    try {
      process.env.NEUROWIRE_THREADS = '5';
      expect(cpuThreadCount()).toBe(5);
      delete process.env.NEUROWIRE_THREADS;
      expect(cpuThreadCount()).toBeGreaterThanOrEqual(1);
    } finally {
      if (saved === undefined) delete process.env.NEUROWIRE_THREADS;
      else process.env.NEUROWIRE_THREADS = saved;
    }
  });

  // [M, K, N]: split by rows (M even / odd in 4s, N with a 4-column tail), by columns (few rows), and too small to split.
  const shapes: [number, number, number][] = [[64, 784, 128], [130, 300, 36], [6, 2000, 100], [3, 4000, 96], [16, 40, 20]];
  it.each(shapes)('matMul %i x %i · x %i: = the one-thread GEMM bit for bit, = cpu within rounding', async (M, K, N) => {
    const r = rng(M * 7 + K + N);
    const av = r.values(M * K), bv = r.values(K * N);
    const a = tf.tensor2d(av, [M, K]), b = tf.tensor2d(bv, [K, N]);
    const pooled = tf.matMul(a, b);
    const single = tf.zeros([M, N]);
    const be = tf.backend();
    sk.gemm(heapPtr(be, a.dataId), heapPtr(be, b.dataId), heapPtr(be, single.dataId), M, K, N, K * 4, N * 4, N * 4);
    const got = pooled.dataSync() as Float32Array;
    expect(Array.from(got)).toEqual(Array.from(single.dataSync()));
    tf.dispose([a, b, pooled, single]);
    const ref = await onCpu(() => {
      const c = tf.matMul(tf.tensor2d(av, [M, K]), tf.tensor2d(bv, [K, N]));
      return c.dataSync() as Float32Array;
    });
    const { err, scale } = maxError(got, ref);
    expect(err).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
  });

  it('gradients of a conv + dense network match cpu', async () => {
    const r = rng(99);
    const xv = r.values(8 * 16 * 16 * 8), fv = r.values(3 * 3 * 8 * 16, 0.3), wv = r.values(14 * 14 * 16 * 32, 0.05);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [8, 16, 16, 8]);
        const g = tf.grads((f: tf.Tensor, w: tf.Tensor) => {
          const h = tf.conv2d(x, f as tf.Tensor4D, 1, 'valid').relu().reshape([8, 14 * 14 * 16]);
          const y = tf.matMul(h, w as tf.Tensor2D);
          return y.mul(tf.sin(tf.range(0, y.size).reshape(y.shape))).sum();
        })([tf.tensor4d(fv, [3, 3, 8, 16]), tf.tensor2d(wv, [14 * 14 * 16, 32])]);
        return g.map((t) => t.dataSync() as Float32Array);
      });
    const got = grads();
    const ref = await onCpu(grads);
    for (let i = 0; i < ref.length; i++) {
      const { err, scale } = maxError(got[i], ref[i]);
      expect(err, `gradient ${i}`).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
    }
  });
});

/**
 * Runs `fn` with the kernel pool and again without it (every kernel on this thread): the kernel pool calls
 * made the first time, by kernel, and both results.
 */
function pooledAndSingle(fn: () => Float32Array[]): { pooled: Float32Array[]; single: Float32Array[]; split: Map<string, number> } {
  const pool = sk.pool as NonNullable<SimdKernels['pool']>;
  const split = new Map<string, number>();
  const run = pool.run;
  pool.run = (name, shares) => {
    split.set(name, Math.max(split.get(name) ?? 0, shares.length));
    run.call(pool, name, shares);
  };
  try {
    const pooled = fn();
    pool.run = run;
    sk.pool = null;
    const single = fn();
    return { pooled, single, split };
  } finally {
    pool.run = run;
    sk.pool = pool;
  }
}

function expectSameBits(got: Float32Array[], want: Float32Array[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = new Uint32Array(got[i].buffer, got[i].byteOffset, got[i].length);
    const b = new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length);
    expect(a.length, `output ${i}`).toBe(b.length);
    const firstDiff = a.findIndex((v, j) => v !== b[j]);
    expect(firstDiff, `output ${i}: first differing value`).toBe(-1);
  }
}

async function expectNearCpu(got: Float32Array[], fn: () => Float32Array[]): Promise<void> {
  const ref = await onCpu(fn);
  for (let i = 0; i < ref.length; i++) {
    const { err, scale } = maxError(got[i], ref[i]);
    expect(err, `output ${i}`).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
  }
}

describe('training kernels split over the kernel pool: = one thread bit for bit, = cpu within rounding', () => {
  // [x shape, filter shape, stride, padding]: patches of 1 channel (Pᵀ built by columns, im2colCols) and of 8
  // (P by rows, im2colRows); odd sizes, strides, padding that hangs over the edges.
  const convs: [number[], number[], number, 'same' | 'valid'][] = [
    [[16, 29, 31, 1], [3, 3, 1, 8], 1, 'valid'],
    [[24, 33, 27, 1], [5, 5, 1, 4], 2, 'same'],
    [[6, 15, 13, 8], [3, 3, 8, 12], 1, 'same'],
    [[40, 17, 19, 4], [3, 3, 4, 16], 2, 'valid'],
  ];
  it.each(convs)('conv2d filter and input gradients, x %j, filter %j, stride %i, %s', async (xShape, fShape, stride, pad) => {
    const r = rng(xShape[0] * 31 + fShape[3]);
    const xv = r.values(xShape.reduce((p, q) => p * q)), fv = r.values(fShape.reduce((p, q) => p * q), 0.3);
    const grads = () =>
      tf.tidy(() => {
        const g = tf.grads((x: tf.Tensor, f: tf.Tensor) => {
          const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad);
          return y.mul(tf.cos(tf.range(0, y.size).reshape(y.shape))).sum();
        })([tf.tensor4d(xv, xShape as [number, number, number, number]), tf.tensor4d(fv, fShape as [number, number, number, number])]);
        return g.map((t) => t.dataSync() as Float32Array);
      });
    const { pooled, single, split } = pooledAndSingle(grads);
    expect(split.get(fShape[0] * fShape[1] * fShape[2] <= 32 ? 'im2colCols' : 'im2colRows')).toBeGreaterThan(1);
    expectSameBits(pooled, single);
    await expectNearCpu(pooled, grads);
  });

  it.each([
    [[40, 18, 18, 8], 2],
    [[16, 21, 23, 12], 3],
  ])('max-pool gradient, x %j, 2x2 windows, stride %i', async (xShape, stride) => {
    const xv = rng(xShape[0] + stride).values(xShape.reduce((p, q) => p * q));
    const grad = () =>
      tf.tidy(() => {
        const g = tf.grad((x: tf.Tensor) => {
          const y = tf.maxPool(x as tf.Tensor4D, 2, stride, 'valid');
          return y.mul(tf.sin(tf.range(0, y.size).reshape(y.shape))).sum();
        })(tf.tensor4d(xv, xShape as [number, number, number, number]));
        return [g.dataSync() as Float32Array];
      });
    const { pooled, single, split } = pooledAndSingle(grad);
    expect(split.get('maxPoolGrad2x2')).toBeGreaterThan(1);
    expectSameBits(pooled, single);
    await expectNearCpu(pooled, grad);
  });

  it.each([
    [[300, 7, 36], [0, 1]],
    [[4099, 44], [0]],
  ])('column sums (bias gradients) of %j over axes %j', async (shape, axes) => {
    const xv = rng(shape[0]).values(shape.reduce((p, q) => p * q));
    const sum = () => tf.tidy(() => [tf.sum(tf.tensor(xv, shape), axes).dataSync() as Float32Array]);
    const { pooled, single, split } = pooledAndSingle(sum);
    expect(split.get('colSumF64')).toBeGreaterThan(1);
    expectSameBits(pooled, single);
    await expectNearCpu(pooled, sum);
  });

  it('the fused Adam update of 50,001 and 70,000 values (3 steps), = tf.train.adam on cpu', async () => {
    const r = rng(5);
    const w0 = [r.values(50_001), r.values(70_000)], gs = [r.values(50_001), r.values(70_000)];
    const train = (opt: () => tf.Optimizer) => () => {
      const vars = w0.map((w) => tf.variable(tf.tensor1d(w)));
      const o = opt();
      for (let s = 0; s < 3; s++) o.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor1d(gs[i]).mul(s + 1) })));
      const out = vars.map((v) => v.dataSync() as Float32Array);
      o.dispose();
      tf.dispose(vars);
      return out;
    };
    const { pooled, single, split } = pooledAndSingle(train(() => createFusedAdam(tf, 0.01)));
    expect(split.get('adam')).toBeGreaterThan(1);
    expectSameBits(pooled, single);
    await expectNearCpu(pooled, train(() => tf.train.adam(0.01)));
  });

  // [batch, steps, features, units, recurrent activation]: H % 4 != 0 (overlapping last vector), odd batches.
  it.each([
    [67, 5, 6, 37, 'sigmoid'],
    [40, 4, 3, 64, 'hardSigmoid'],
  ] as const)('fused LSTM, batch %i, %i steps, %i features, %i units, %s: output and gradients', async (B, T, D, H, act) => {
    const r = rng(B + H);
    const xv = r.values(B * T * D), wv = r.values(D * 4 * H, 0.5), uv = r.values(H * 4 * H, 0.3), bv = r.values(4 * H, 0.2);
    const hardSigmoid = (z: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
    const sigma = act === 'sigmoid' ? tf.sigmoid : hardSigmoid;
    // The LSTMCell maths (gate order i, f, c, o) in tf ops: the cpu reference.
    const reference = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => {
      let h = tf.zeros([B, H]);
      let c = tf.zeros([B, H]);
      const outs: tf.Tensor[] = [];
      for (let s = 0; s < T; s++) {
        const z = tf.add(tf.add(tf.matMul(x.slice([0, s, 0], [B, 1, D]).reshape([B, D]), w), tf.matMul(h, u)), bb);
        const [zi, zf, zc, zo] = tf.split(z, 4, 1);
        c = tf.add(tf.mul(sigma(zf), c), tf.mul(sigma(zi), tf.tanh(zc)));
        h = tf.mul(sigma(zo), tf.tanh(c));
        outs.push(h);
      }
      return tf.stack(outs, 1);
    };
    const run = () =>
      tf.tidy(() => {
        const args = [tf.tensor3d(xv, [B, T, D]), tf.tensor2d(wv, [D, 4 * H]), tf.tensor2d(uv, [H, 4 * H]), tf.tensor1d(bv)];
        const f = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) =>
          tf.getBackend() === 'wasm' ? fusedLstm(tf, x, w, u, bb, { recurrentActivation: act, returnSequences: true }) : reference(x, w, u, bb);
        const weights = tf.sin(tf.range(0, B * T * H)).reshape([B, T, H]);
        const y = f(args[0], args[1], args[2], args[3]);
        const grads = tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => f(x, w, u, bb).mul(weights).sum())(args);
        return [y, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    const { pooled, single, split } = pooledAndSingle(run);
    expect(split.get('lstmFwd')).toBeGreaterThan(1);
    expect(split.get('lstmBwd')).toBeGreaterThan(1);
    expectSameBits(pooled, single);
    await expectNearCpu(pooled, run);
  });

  it('a matMul split into more shares than threads', () => {
    const M = 203, K = 517, N = 68;
    const r = rng(11);
    const av = r.values(M * K), bv = r.values(K * N);
    const product = () => tf.tidy(() => [tf.matMul(tf.tensor2d(av, [M, K]), tf.tensor2d(bv, [K, N])).dataSync() as Float32Array]);
    const { pooled, single, split } = pooledAndSingle(product);
    expect(split.get('gemm')).toBeGreaterThan(2);
    expectSameBits(pooled, single);
  });

  it('small problems stay on one thread', () => {
    const { split } = pooledAndSingle(() => tf.tidy(() => [tf.matMul(tf.ones([8, 16]), tf.ones([16, 8])).dataSync() as Float32Array, tf.sum(tf.ones([64, 128]), 0).dataSync() as Float32Array]));
    expect([...split.keys()]).toEqual([]);
  });
});

describe('fused multiply-add GEMM (relaxed SIMD)', () => {
  it('fusedMultiplyAdd rewrites every add-of-a-product and refuses a kernel without one', () => {
    const src = '(local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b))))';
    expect(fusedMultiplyAdd(src, 'k.wat')).toBe('(local.set $acc (f32x4.relaxed_madd (v128.load32_splat (local.get $pa)) (local.get $b) (local.get $acc)))');
    expect(() => fusedMultiplyAdd('(f32x4.add (local.get $x) (local.get $y))', 'k.wat')).toThrow(/k\.wat: no/);
  });

  it('is used on this runtime (Node 20: the engine turns on V8\'s relaxed-SIMD flag), which then validates it', async () => {
    const file = path.join(__dirname, '../../main/node/wasm/gemm.wat');
    const fma = await compileWat(fs.readFileSync(file, 'utf8'), file, true, true);
    expect(sk.fma).toBe(process.env.NEUROWIRE_NO_FMA !== '1');
    expect(WebAssembly.validate(fma)).toBe(true);
  });

  it('with relaxed SIMD on: used, pooled = one thread bit for bit, = cpu within rounding', () => {
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', path.join(__dirname, 'helpers', 'fmaGemmCheck.ts')], { encoding: 'utf8', timeout: 240_000 });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
    expect(line, r.stderr).toBeDefined();
    const out = JSON.parse(line as string) as { fma: boolean; pool: boolean; cases: { shape: number[]; samePooled: boolean; relErr: number }[] };
    expect(out.fma).toBe(true);
    expect(out.pool).toBe(true);
    for (const c of out.cases) {
      expect(c.samePooled, String(c.shape)).toBe(true);
      expect(c.relErr, String(c.shape)).toBeLessThanOrEqual(1e-4);
    }
  });
});
