import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createFusedAdam, createLstmLayer, fusedLstm, registerWasmTrainingKernels, wasmTrainingKernelsRegistered, WASM_TRAINING_KERNELS } from '../../main/node/wasm/trainingKernels';
import { runTrainingLoop } from '../../main/core/training/loop';
import type { TrainingData } from '../../main/core/training/types';
import { TrainingConfigSchema } from '../../main/core/project';
import { setSimdKernelsEnabled, simdKernels } from '../../main/node/wasm/simdKernels';
import { useWasmBinariesFromPackage } from '../../main/node/backend';
import { rng } from './helpers/seeded';

/**
 * The wasm training kernels are compared with the cpu backend on the same op / gradient. Inputs are made from
 * a seeded PRNG as plain arrays, so each backend builds its own tensors from identical values.
 */



const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

let worstRel = 0;

/** Runs fn on wasm then on cpu and compares every returned tensor. */
async function compareOnBackends(label: string, fn: () => tf.Tensor[]): Promise<void> {
  const results: Record<string, { shape: number[]; data: Float32Array }[]> = {};
  for (const be of ['wasm', 'cpu']) {
    await tf.setBackend(be);
    const outs = tf.tidy(fn);
    results[be] = outs.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) }));
    tf.dispose(outs);
  }
  await tf.setBackend('wasm');
  const [w, c] = [results.wasm, results.cpu];
  expect(w.length, label).toBe(c.length);
  for (let i = 0; i < c.length; i++) {
    expect(w[i].shape, `${label} #${i} shape`).toEqual(c[i].shape);
    let maxAbs = 0;
    let maxErr = 0;
    for (let j = 0; j < c[i].data.length; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(c[i].data[j]));
      const e = Math.abs(c[i].data[j] - w[i].data[j]);
      maxErr = Number.isNaN(e) ? Infinity : Math.max(maxErr, e);
    }
    const tol = 1e-4 * Math.max(1, maxAbs);
    worstRel = Math.max(worstRel, maxErr / Math.max(1, maxAbs));
    if (!(maxErr <= tol)) throw new Error(`${label} #${i}: max abs error ${maxErr} > ${tol} (max |value| ${maxAbs})`);
  }
}

beforeAll(async () => {
  useWasmBinariesFromPackage();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
  const names = await registerWasmTrainingKernels(tf);
  expect([...names].sort()).toEqual([...WASM_TRAINING_KERNELS].sort());
});

describe('registerWasmTrainingKernels', () => {
  it('is idempotent and reports registration', async () => {
    expect(await registerWasmTrainingKernels(tf)).toEqual([]);
    expect(wasmTrainingKernelsRegistered(tf)).toBe(true);
    for (const n of WASM_TRAINING_KERNELS) expect(tf.getKernel(n, 'wasm'), n).toBeDefined();
  });

  it('throws a clear error for NCHW', () => {
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] } as never),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });

  it('keeps the stock Conv2DBackpropInput for NCHW (conv2dTranspose channels-first)', async () => {
    const xv = rng(21).values(2 * 3 * 4 * 5);
    const fv = rng(22).values(3 * 3 * 2 * 3);
    await compareOnBackends('conv2dTranspose NCHW', () => [
      tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(xv, [2, 3, 4, 5]), filter: tf.tensor4d(fv, [3, 3, 2, 3]) }, { strides: 2, pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined, inputShape: [2, 2, 8, 10] } as never) as tf.Tensor,
    ]);
  });
});

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

describe('conv2d gradients (Conv2DBackpropFilter, Conv2DBackpropInput) match cpu', () => {
  const r = rng(1234);
  const cases: { n: number; h: number; w: number; ci: number; co: number; fh: number; fw: number; s: [number, number]; pad: Pad }[] = [];
  // Every stride (1-3, also uneven) with every padding kind, on random shapes.
  const pads: Pad[] = ['valid', 'same', 1, [[0, 0], [2, 0], [1, 2], [0, 0]]];
  for (const sh of [1, 2, 3]) {
    for (const sw of [1, 2, 3]) {
      for (const pad of pads) {
        if (sh !== sw && typeof pad !== 'string') continue;
        const fh = r.int(1, 4);
        // tfjs sizes a numeric pad's output with the filter height for both axes: keep those filters square.
        const fw = typeof pad === 'number' ? fh : r.int(1, 4);
        let h = r.int(Math.max(5, fh), 12);
        let w = r.int(Math.max(5, fw), 12);
        // A numeric pad must give a whole output size: tfjs passes no dimRoundingMode to the gradient ops.
        while (typeof pad === 'number' && (h - fh + 2 * pad) % sh !== 0) h++;
        while (typeof pad === 'number' && (w - fw + 2 * pad) % sw !== 0) w++;
        cases.push({ n: r.int(1, 3), h, w, ci: r.int(1, 5), co: r.int(1, 5), fh, fw, s: [sh, sw], pad });
      }
    }
  }
  // fh*fw*ci > 32 and a multiple of 4: the im2col + SIMD GEMM filter gradient (contiguous rows, padding, strides).
  cases.push({ n: 2, h: 9, w: 8, ci: 8, co: 6, fh: 3, fw: 3, s: [1, 1], pad: 'same' });
  cases.push({ n: 3, h: 10, w: 9, ci: 12, co: 5, fh: 2, fw: 2, s: [2, 2], pad: 'valid' });
  cases.push({ n: 1, h: 11, w: 11, ci: 16, co: 8, fh: 3, fw: 3, s: [2, 2], pad: 1 });
  cases.push({ n: 2, h: 7, w: 12, ci: 4, co: 3, fh: 3, fw: 4, s: [1, 3], pad: 'same' });
  it(`${cases.length} random shapes`, async () => {
    for (const c of cases) {
      const xv = r.values(c.n * c.h * c.w * c.ci);
      const fv = r.values(c.fh * c.fw * c.ci * c.co);
      const label = JSON.stringify(c);
      await compareOnBackends(label, () => {
        const x = tf.tensor4d(xv, [c.n, c.h, c.w, c.ci]);
        const f = tf.tensor4d(fv, [c.fh, c.fw, c.ci, c.co]);
        // A weighted sum so that dy is not constant.
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as never);
          return y.mul(tf.sin(tf.range(0, y.size).reshape(y.shape))).sum();
        });
        return g([x, f]);
      });
    }
  });

  it('conv2dTranspose (Conv2DBackpropInput as a forward op) and its filter gradient', async () => {
    for (const [n, h, w, ci, co, k, s, pad] of [
      [2, 5, 6, 3, 2, 3, 2, 'same'],
      [1, 7, 5, 2, 4, 2, 3, 'valid'],
      [3, 6, 6, 1, 3, 4, 1, 'same'],
    ] as const) {
      const outH = pad === 'same' ? h * s : (h - 1) * s + k;
      const outW = pad === 'same' ? w * s : (w - 1) * s + k;
      const xv = rng(n * 7 + h).values(n * h * w * ci);
      const fv = rng(k * 3 + co).values(k * k * co * ci);
      await compareOnBackends(`conv2dTranspose ${[n, h, w, ci, co, k, s, pad]}`, () => {
        const x = tf.tensor4d(xv, [n, h, w, ci]);
        const f = tf.tensor4d(fv, [k, k, co, ci]);
        const y = tf.conv2dTranspose(x, f, [n, outH, outW, co], s, pad);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [n, outH, outW, co], s, pad).square().sum());
        return [y, ...g([x, f])];
      });
    }
  });
});

/** Zero-inserts a depthwise filter [fh,fw,C,M] for dilation d: the cpu backend's backprop kernels ignore dilations. */
function dilateFilterValues(v: Float32Array, shape: number[], d: number): { v: Float32Array; shape: number[] } {
  const [fh, fw, c, m] = shape;
  const eh = (fh - 1) * d + 1;
  const ew = (fw - 1) * d + 1;
  const out = new Float32Array(eh * ew * c * m);
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c * m; k++) out[((i * d) * ew + j * d) * c * m + k] = v[(i * fw + j) * c * m + k];
  return { v: out, shape: [eh, ew, c, m] };
}

describe('depthwiseConv2d gradients (DepthwiseConv2dNativeBackpropFilter / Input) match cpu', () => {
  it('strides 1-3, valid/same/explicit, channel multipliers 1-3', async () => {
    const r = rng(99);
    for (const s of [1, 2, 3]) {
      for (const pad of ['valid', 'same', 2] as Pad[]) {
        const n = r.int(1, 3), c = r.int(1, 5), m = r.int(1, 3), fh = r.int(1, 4), fw = typeof pad === 'number' ? fh : r.int(1, 4);
        let h = r.int(5, 12), w = r.int(5, 12);
        while (typeof pad === 'number' && (h - fh + 2 * pad) % s !== 0) h++;
        while (typeof pad === 'number' && (w - fw + 2 * pad) % s !== 0) w++;
        const xv = r.values(n * h * w * c);
        const fv = r.values(fh * fw * c * m);
        await compareOnBackends(`depthwise ${JSON.stringify({ n, h, w, c, m, fh, fw, s, pad })}`, () => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
            const y = tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad as never);
            return y.mul(tf.cos(tf.range(0, y.size).reshape(y.shape))).sum();
          });
          return g([tf.tensor4d(xv, [n, h, w, c]), tf.tensor4d(fv, [fh, fw, c, m])]);
        });
      }
    }
  });

  it('dilation 2 (kernels called directly; reference = cpu with the zero-inserted filter)', async () => {
    const r = rng(7);
    for (const pad of ['valid', 'same'] as const) {
      for (const m of [1, 2]) {
        const n = r.int(1, 3), h = r.int(7, 12), w = r.int(7, 12), c = r.int(1, 5), fh = 3, fw = r.int(2, 3), d = 2;
        const xv = r.values(n * h * w * c);
        const fv = r.values(fh * fw * c * m);
        const dil = dilateFilterValues(fv, [fh, fw, c, m], d);
        const oh = pad === 'same' ? h : h - (fh - 1) * d;
        const ow = pad === 'same' ? w : w - (fw - 1) * d;
        const dyv = r.values(n * oh * ow * c * m);
        const run = async (be: string) => {
          await tf.setBackend(be);
          const x = tf.tensor4d(xv, [n, h, w, c]);
          const dy = tf.tensor4d(dyv, [n, oh, ow, c * m]);
          let dW: tf.Tensor, dX: tf.Tensor;
          if (be === 'wasm') {
            dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad, dilations: d, filterShape: [fh, fw, c, m] } as never) as tf.Tensor;
            dX = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: tf.tensor4d(fv, [fh, fw, c, m]) }, { strides: 1, pad, dilations: d, inputShape: [n, h, w, c] } as never) as tf.Tensor;
          } else {
            const full = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad, dilations: 1, filterShape: dil.shape } as never) as tf.Tensor;
            dW = tf.stridedSlice(full, [0, 0, 0, 0], dil.shape, [d, d, 1, 1]);
            dX = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: tf.tensor4d(dil.v, dil.shape as never) }, { strides: 1, pad, dilations: 1, inputShape: [n, h, w, c] } as never) as tf.Tensor;
          }
          // Sanity: the forward op agrees with the chosen output size.
          const y = tf.depthwiseConv2d(x, tf.tensor4d(fv, [fh, fw, c, m]), 1, pad, 'NHWC', d);
          expect(y.shape).toEqual([n, oh, ow, c * m]);
          return [dW.shape, dW.dataSync(), dX.shape, dX.dataSync()] as const;
        };
        const wv = await run('wasm');
        const cv = await run('cpu');
        await tf.setBackend('wasm');
        expect(wv[0]).toEqual(cv[0]);
        expect(wv[2]).toEqual(cv[2]);
        for (const [a, b] of [[wv[1], cv[1]], [wv[3], cv[3]]] as const) {
          const maxAbs = Math.max(...Array.from(b, Math.abs));
          const err = Math.max(...Array.from(b, (v, i) => Math.abs(v - a[i])));
          worstRel = Math.max(worstRel, err / Math.max(1, maxAbs));
          expect(err, `dilation 2 ${pad} m=${m}`).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs));
        }
      }
    }
  });
});

describe('UnsortedSegmentSum (gather gradient) matches cpu', () => {
  it('gather along axis 0 and 1, repeated and 2-D indices, direct op with dropped ids', async () => {
    const r = rng(5);
    for (const [shape, axis, idx] of [
      [[7, 4], 0, [0, 3, 3, 6, 1, 3]],
      [[5, 6, 3], 1, [[5, 0], [2, 2], [1, 5]]],
      [[10, 8], 0, Array.from({ length: 40 }, (_, i) => (i * 7) % 10)],
      [[4, 1], 0, [2]],
    ] as const) {
      const pv = r.values(size(shape as unknown as number[]));
      await compareOnBackends(`gather ${JSON.stringify({ shape, axis, idx })}`, () => {
        const p = tf.tensor(pv, shape as unknown as number[]);
        const ind = tf.tensor(idx as never, undefined, 'int32');
        const g = tf.grad((a: tf.Tensor) => {
          const y = tf.gather(a, ind, axis);
          return y.mul(tf.sin(tf.range(1, y.size + 1).reshape(y.shape))).sum();
        });
        return [g(p)];
      });
    }
    const xv = r.values(6 * 3);
    await compareOnBackends('unsortedSegmentSum with out-of-range ids', () => [
      tf.unsortedSegmentSum(tf.tensor2d(xv, [6, 3]), tf.tensor1d([0, 4, -1, 2, 0, 5], 'int32'), 5),
    ]);
  });
});

describe('BatchMatMul with transposes / batches matches cpu', () => {
  it('transposeA/transposeB on 2-D and 3-D, broadcast batch, with gradients', async () => {
    const r = rng(11);
    for (const [aS, bS] of [
      [[5, 7], [7, 3]],
      [[64, 33], [33, 10]],
      [[3, 4, 6], [3, 6, 5]],
      [[2, 5, 4], [4, 3]],
      [[1, 6, 2], [2, 2, 5]],
      [[4, 16, 8], [8, 12]],
      // the wasm SIMD GEMM (N a multiple of 8; M with and without a remainder of 4; batch-1 3-D; folded batch)
      [[9, 13], [13, 16]],
      [[64, 70], [70, 128]],
      [[1, 7, 5], [5, 24]],
      [[6, 5], [1, 5, 8]],
      [[3, 5, 11], [11, 8]],
      [[2, 1], [1, 40]],
      [[9, 13], [13, 12]],
      [[5, 6], [6, 28]],
      [[7, 3], [3, 4]],
    ] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const swap = (s: readonly number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
          const as = ta ? swap(aS) : [...aS];
          const bs = tb ? swap(bS) : [...bS];
          const av = r.values(size(as));
          const bv = r.values(size(bs));
          await compareOnBackends(`matMul ${JSON.stringify({ as, bs, ta, tb })}`, () => {
            const a = tf.tensor(av, as);
            const b = tf.tensor(bv, bs);
            const y = tf.matMul(a, b, ta, tb);
            // tfjs-core's BatchMatMul gradient does not reduce broadcast batch dimensions (fails on cpu too).
            if (JSON.stringify(as.slice(0, -2)) !== JSON.stringify(bs.slice(0, -2))) return [y];
            const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).square().sum());
            return [y, ...g([a, b])];
          });
        }
      }
    }
  });
});

describe('MaxPoolGrad matches cpu', () => {
  it('pool sizes 1-3, strides 1-3 (overlapping windows), valid/same, ties from relu zeros', async () => {
    const r = rng(77);
    for (const [k, s] of [[2, 2], [2, 2], [2, 2], [3, 2], [2, 1], [3, 3], [3, 3], [1, 1], [3, 1], [1, 2]] as const) {
      for (const pad of ['valid', 'same'] as const) {
        const n = r.int(1, 3), h = r.int(5, 11), w = r.int(5, 11), c = r.int(1, 6);
        const xv = r.values(n * h * w * c);
        await compareOnBackends(`maxPool grad ${JSON.stringify({ n, h, w, c, k, s, pad })}`, () => {
          const g = tf.grad((a: tf.Tensor) => {
            // relu gives many exact ties (zeros): the first maximum of a window must get the gradient.
            const y = tf.maxPool(tf.relu(a) as tf.Tensor4D, k, s, pad);
            return y.mul(tf.sin(tf.range(1, y.size + 1).reshape(y.shape))).sum();
          });
          return [g(tf.tensor4d(xv, [n, h, w, c]))];
        });
      }
    }
  });

  it('the wasm SIMD path: 2x2 windows, strides 2-3, channels a multiple of 4, even and odd sizes, -Infinity', async () => {
    const r = rng(78);
    for (const [h, w, c, s] of [[8, 6, 4, 2], [9, 7, 8, 2], [10, 11, 12, 3], [6, 6, 32, 2], [7, 9, 4, 3]] as const) {
      const n = r.int(1, 3);
      const xv = r.values(n * h * w * c);
      xv[3] = -Infinity; // a window whose maximum may be -Infinity with the relu'd zeros replaced below
      await compareOnBackends(`maxPool grad simd ${JSON.stringify({ n, h, w, c, s })}`, () => {
        const g = tf.grad((a: tf.Tensor) => {
          const y = tf.maxPool(tf.relu(a) as tf.Tensor4D, 2, s, 'valid');
          return y.mul(tf.sin(tf.range(1, y.size + 1).reshape(y.shape))).sum();
        });
        const g2 = tf.grad((a: tf.Tensor) => {
          const y = tf.maxPool(a as tf.Tensor4D, 2, s, 'valid');
          return y.mul(tf.cos(tf.range(1, y.size + 1).reshape(y.shape))).sum();
        });
        const x = tf.tensor4d(xv, [n, h, w, c]);
        return [g(x), g2(x)];
      });
    }
  });
});

describe('Sum over leading axes matches cpu', () => {
  it('bias-gradient shapes, keepDims, negative axes, and the cases left to the stock kernel', async () => {
    const r = rng(31);
    const xv = r.values(3 * 5 * 4 * 6);
    const iv = Array.from({ length: 3 * 5 * 4 * 6 }, (_, i) => (i * 7) % 11 - 5);
    await compareOnBackends('sum', () => {
      const x = tf.tensor4d(xv, [3, 5, 4, 6]);
      const xi = tf.tensor4d(iv, [3, 5, 4, 6], 'int32');
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [2, 0, 1], true),
        tf.sum(x, 0),
        tf.sum(x, [-4, -3]),
        tf.sum(x, [1, 2]),
        tf.sum(x, 3),
        tf.sum(x),
        tf.sum(xi, [0, 1, 2]).toFloat(),
        tf.sum(tf.tensor2d(xv.slice(0, 12), [12, 1]), 0),
        // the wasm SIMD column sum (inner a multiple of 4), 4-row passes and the row remainder
        tf.sum(tf.tensor3d(Float32Array.from({ length: 37 * 8 * 16 }, (_, i) => Math.sin(i) * 100), [37, 8, 16]), [0, 1]),
        tf.sum(tf.tensor2d(xv.slice(0, 84), [7, 12]), 0, true),
      ];
    });
  });
});

describe('Identity shares the buffer (reference-counted)', () => {
  it('a clone outlives its source and frees the buffer only with the last reference', async () => {
    await tf.setBackend('wasm');
    const ids0 = tf.engine().backend.numDataIds();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    const c = tf.engine().runKernel('Identity', { x: b }) as tf.Tensor;
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    c.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(ids0);
    // A variable assigned from a clone keeps its value after the source is gone.
    const v = tf.variable(tf.zeros([2]));
    const src = tf.tensor1d([5, 6]);
    v.assign(tf.clone(src));
    src.dispose();
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    v.dispose();
  });
});

describe('fused LSTM (NeurowireLstmForward / NeurowireLstmBackward) matches tf.layers.lstm on cpu', () => {
  const cases = [
    { b: 3, t: 5, d: 4, h: 6, rs: false, gb: false, ra: 'hardSigmoid', bias: true },
    { b: 2, t: 7, d: 3, h: 5, rs: true, gb: false, ra: 'sigmoid', bias: true },
    { b: 4, t: 4, d: 6, h: 3, rs: true, gb: true, ra: 'hardSigmoid', bias: false },
    { b: 1, t: 9, d: 2, h: 8, rs: false, gb: true, ra: 'sigmoid', bias: true },
    // (T = 1 is left out: the stock layer's own gradient fails there on cpu — tfjs-core's Unpack gradient.)
    { b: 5, t: 2, d: 3, h: 4, rs: true, gb: false, ra: 'hardSigmoid', bias: true },
    // SIMD kernels: whole f32x4 vectors only (h = 4, 8, 12, 16), a last vector overlapping the one before
    // (h = 5, 6, 9); h = 3 takes the JS loop.
    { b: 3, t: 6, d: 5, h: 12, rs: true, gb: true, ra: 'sigmoid', bias: true },
    { b: 2, t: 5, d: 7, h: 9, rs: false, gb: false, ra: 'sigmoid', bias: false },
    { b: 4, t: 3, d: 3, h: 16, rs: false, gb: true, ra: 'hardSigmoid', bias: true },
  ] as const;
  it('uses the wasm SIMD gate kernels here', () => {
    expect(simdKernels(tf.backend())).not.toBeNull();
  });
  it.each([true, false])('outputs and gradients (input, kernel, recurrent kernel, bias), SIMD kernels %s', async (simd) => {
    setSimdKernelsEnabled(simd);
    const r = rng(2024);
    try {
      for (const c of cases) {
        const xv = r.values(c.b * c.t * c.d).map((v) => v * 3);
        const wv = r.values(c.d * 4 * c.h);
        const uv = r.values(c.h * 4 * c.h);
        const bv = r.values(4 * c.h);
        const outShape = c.rs ? [c.b, c.t, c.h] : [c.b, c.h];
        const wts = Float32Array.from({ length: size(outShape) }, (_, i) => Math.sin(i + 1));
        await compareOnBackends(`lstm ${JSON.stringify(c)}`, () => {
          const x = tf.tensor3d(xv, [c.b, c.t, c.d]);
          const W = tf.tensor2d(wv, [c.d, 4 * c.h]);
          const U = tf.tensor2d(uv, [c.h, 4 * c.h]);
          const B = tf.tensor1d(bv);
          const wt = tf.tensor(wts, outShape);
          const isWasm = tf.getBackend() === 'wasm';
          const layer = (isWasm ? createLstmLayer(tf, { units: c.h, returnSequences: c.rs, goBackwards: c.gb, recurrentActivation: c.ra, useBias: c.bias }) : tf.layers.lstm({ units: c.h, returnSequences: c.rs, goBackwards: c.gb, recurrentActivation: c.ra, useBias: c.bias }));
          layer.apply(x); // builds the weights
          layer.setWeights(c.bias ? [W, U, B] : [W, U]);
          const loss = (xx: tf.Tensor) => (layer.apply(xx) as tf.Tensor).mul(wt).sum() as tf.Scalar;
          const y = layer.apply(x) as tf.Tensor;
          const gx = tf.grad(loss)(x);
          const { grads } = tf.variableGrads(() => loss(x));
          const gw = Object.keys(grads).sort().map((k) => grads[k]);
          return [y, gx, ...gw];
        });
      }
    } finally {
      setSimdKernelsEnabled(true);
    }
  });

  it('fusedLstm directly: gradients of all four inputs match a plain tf-ops LSTM on cpu', async () => {
    const r = rng(9);
    const [b, t, d, h] = [3, 4, 2, 5];
    const xv = r.values(b * t * d), wv = r.values(d * 4 * h), uv = r.values(h * 4 * h), bv = r.values(4 * h);
    // Reference: the LSTMCell maths (gate order i, f, c, o) written with differentiable tf ops.
    const reference = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => {
      let hh = tf.zeros([b, h]);
      let cc = tf.zeros([b, h]);
      const outs: tf.Tensor[] = [];
      for (let s = 0; s < t; s++) {
        const xt = x.slice([0, s, 0], [b, 1, d]).reshape([b, d]);
        const z = tf.add(tf.add(tf.matMul(xt, w), tf.matMul(hh, u)), bb);
        const [zi, zf, zc, zo] = tf.split(z, 4, 1);
        cc = tf.add(tf.mul(tf.sigmoid(zf), cc), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
        hh = tf.mul(tf.sigmoid(zo), tf.tanh(cc));
        outs.push(hh);
      }
      return tf.stack(outs, 1);
    };
    await compareOnBackends('fusedLstm grads', () => {
      const args = [tf.tensor3d(xv, [b, t, d]), tf.tensor2d(wv, [d, 4 * h]), tf.tensor2d(uv, [h, 4 * h]), tf.tensor1d(bv)];
      const f = (x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) =>
        tf.getBackend() === 'wasm' ? fusedLstm(tf, x, w, u, bb, { recurrentActivation: 'sigmoid', returnSequences: true }) : reference(x, w, u, bb);
      const y = f(args[0], args[1], args[2], args[3]);
      return [y, ...tf.grads((x: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => f(x, w, u, bb).square().sum())(args)];
    });
  });

  it('serialises as a plain LSTM and falls back to the stock path with dropout', async () => {
    await tf.setBackend('wasm');
    const fused = createLstmLayer(tf, { units: 4, inputShape: [3, 2] });
    expect(fused.getClassName()).toBe('LSTM');
    const m = tf.sequential({ layers: [fused, tf.layers.dense({ units: 1 })] });
    const json = m.toJSON(undefined, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers[0].class_name).toBe('LSTM');
    const m2 = await tf.models.modelFromJSON(JSON.parse(JSON.stringify(m.toJSON(undefined, false))) as never);
    expect(m2.layers[0].getClassName()).toBe('LSTM');
    m.dispose();
    m2.dispose();
    // Dropout is not fused: the stock LSTM code runs (and trains).
    const withDropout = tf.sequential({ layers: [createLstmLayer(tf, { units: 4, inputShape: [3, 2], dropout: 0.2 }), tf.layers.dense({ units: 1 })] });
    withDropout.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const h = await withDropout.fit(tf.ones([4, 3, 2]), tf.ones([4, 1]), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0] as number)).toBe(true);
    withDropout.dispose();
  });
});

describe('fused Adam (NeurowireAdam) gives the updates of tf.train.adam', () => {
  const shapes = [[7, 5], [16], [3, 4, 2], [], [1, 3]];
  /** 4 steps of `make()` on variables of `shapes` with seeded gradients; returns final weights and moments. */
  const run = async (be: string, make: () => tf.Optimizer) => {
    await tf.setBackend(be);
    const r = rng(77);
    const init = shapes.map((sh) => r.values(size(sh)));
    const gs = [0, 1, 2, 3].map(() => shapes.map((sh) => r.values(size(sh)).map((v) => v * 10)));
    const vars = shapes.map((sh, i) => tf.variable(tf.tensor(init[i], sh), true, `adamtest_${be}_${i}_${Math.random()}`));
    const opt = make();
    (opt as unknown as { learningRate: number }).learningRate = 0.01;
    for (let step = 0; step < 4; step++) {
      if (step === 2) (opt as unknown as { learningRate: number }).learningRate = 0.003; // the loop's schedule does this
      const grads: Record<string, tf.Tensor> = {};
      vars.forEach((v, i) => (grads[v.name] = tf.tensor(gs[step][i], shapes[i])));
      // the list form every other step
      if (step % 2) opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      else opt.applyGradients(grads);
      tf.dispose(Object.values(grads));
    }
    const ws = await opt.getWeights();
    const out = {
      vars: vars.map((v) => Float32Array.from(v.dataSync())),
      opt: ws.map((w) => ({ name: w.name.replace(/adamtest_\w+?_(\d+)_[\d.e-]+/, 'v$1'), data: Float32Array.from(w.tensor.dataSync()) })),
    };
    tf.dispose(vars);
    opt.dispose();
    await tf.setBackend('wasm');
    return out;
  };
  const maxRel = (a: Float32Array[], b: Float32Array[]) => {
    let m = 0;
    a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(b[i][j]))))));
    return m;
  };
  it.each([true, false])('wasm (SIMD kernels %s) vs tf.train.adam on wasm and on cpu', async (simd) => {
    setSimdKernelsEnabled(simd);
    try {
      const fused = await run('wasm', () => createFusedAdam(tf, 0.01));
      const stockWasm = await run('wasm', () => tf.train.adam(0.01));
      const stockCpu = await run('cpu', () => tf.train.adam(0.01));
      // Same float32 operations in the same order: identical to the stock kernels.
      expect(maxRel(fused.vars, stockWasm.vars)).toBe(0);
      expect(maxRel(fused.vars, stockCpu.vars)).toBeLessThanOrEqual(1e-6);
      expect(fused.opt.map((w) => w.name)).toEqual(stockCpu.opt.map((w) => w.name));
      expect(maxRel(fused.opt.map((w) => w.data), stockCpu.opt.map((w) => w.data))).toBeLessThanOrEqual(1e-6);
      worstRel = Math.max(worstRel, maxRel(fused.vars, stockCpu.vars));
    } finally {
      setSimdKernelsEnabled(true);
    }
  });

  it('is a plain Adam elsewhere (cpu) and serialises as Adam', async () => {
    const fused = await run('cpu', () => createFusedAdam(tf, 0.01));
    const stockCpu = await run('cpu', () => tf.train.adam(0.01));
    expect(maxRel(fused.vars, stockCpu.vars)).toBe(0);
    const o = createFusedAdam(tf, 0.02);
    expect(o.getClassName()).toBe('Adam');
    expect(o.getConfig()).toEqual(tf.train.adam(0.02).getConfig());
    o.dispose();
  });

  it('through runTrainingLoop (makeOptimizer hook) with AdamW: same weights as the default optimizer', async () => {
    await tf.setBackend('wasm');
    const n = 96, dim = 5;
    const r = rng(5);
    const x = r.values(n * dim);
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * dim] + x[i * dim + 1] > 0 ? 1 : 0));
    const split = (lo: number, hi: number) => ({
      count: hi - lo,
      labels: y.slice(lo, hi),
      getBatch: (idx: ArrayLike<number>) => {
        const xs = new Float32Array(idx.length * dim);
        const ys = new Int32Array(idx.length);
        for (let i = 0; i < idx.length; i++) {
          xs.set(x.subarray((lo + idx[i]) * dim, (lo + idx[i] + 1) * dim), i * dim);
          ys[i] = y[lo + idx[i]];
        }
        return { x: xs, y: ys, count: idx.length };
      },
    });
    const data = {
      info: { id: 's', name: 'S', description: '', inputShape: [dim], inputDType: 'float32', task: 'classification', numClasses: 2, classNames: ['a', 'b'], outputSize: 2, totalSamples: n, available: true },
      train: split(0, 64),
      validation: split(64, 80),
      test: split(80, 96),
    } as unknown as TrainingData;
    const cfg = TrainingConfigSchema.parse({ epochs: 3, batchSize: 16, learningRate: 0.05, optimizer: 'adamw', weightDecay: 0.05, seed: 3 });
    const trainOnce = async (fusedOpt: boolean) => {
      const init = rng(11);
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [dim], units: 6, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
      const w0 = model.getWeights().map((w) => tf.tensor(init.values(w.size), w.shape));
      model.setWeights(w0);
      tf.dispose(w0);
      let made = 0;
      const res = await runTrainingLoop({
        tf,
        model,
        data,
        config: cfg,
        runId: 'r',
        backend: { name: 'wasm', device: 'wasm', attempts: [] } as never,
        emit: () => undefined,
        control: { shouldStop: () => false, waitWhilePaused: async () => undefined },
        ...(fusedOpt ? { makeOptimizer: (t: typeof tf, _c: unknown, lr: number) => (made++, createFusedAdam(t, lr)) } : {}),
      });
      expect(res.status).toBe('completed');
      const w = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
      model.dispose();
      return { w, made };
    };
    const before = tf.memory().numTensors;
    const a = await trainOnce(true);
    const b = await trainOnce(false);
    expect(a.made).toBe(1);
    expect(maxRel(a.w, b.w)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('training on wasm with the registered kernels', () => {
  it('a tiny CNN learns whether a bright square is on the left or the right', async () => {
    await tf.setBackend('wasm');
    const r = rng(42);
    const n = 128;
    const S = 12;
    const xs = new Float32Array(n * S * S);
    const ys = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const right = i % 2;
      const top = r.int(0, S - 4);
      const left = right ? r.int(S / 2, S - 4) : r.int(0, S / 2 - 4);
      for (let p = 0; p < S * S; p++) xs[i * S * S + p] = r.next() * 0.2;
      for (let y = top; y < top + 4; y++) for (let x = left; x < left + 4; x++) xs[i * S * S + y * S + x] = 1;
      ys[i * 2 + right] = 1;
    }
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [S, S, 1], filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor4d(xs, [n, S, S, 1]);
    const y = tf.tensor2d(ys, [n, 2]);
    const before = (model.evaluate(x, y) as tf.Scalar[])[0].dataSync()[0];
    const hist = await model.fit(x, y, { epochs: 12, batchSize: 32, shuffle: false, verbose: 0 });
    const after = (model.evaluate(x, y) as tf.Scalar[]);
    const lossAfter = after[0].dataSync()[0];
    const acc = after[1].dataSync()[0];
    const losses = hist.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(lossAfter).toBeLessThan(before * 0.7);
    expect(acc).toBeGreaterThan(0.9);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('an Embedding model trains (UnsortedSegmentSum)', async () => {
    await tf.setBackend('wasm');
    // Sequence of 4 tokens from a 20-word vocabulary; label = whether token 0..9 dominates.
    const r = rng(3);
    const n = 160;
    const ids = new Float32Array(n * 4);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      for (let t = 0; t < 4; t++) ids[i * 4 + t] = cls ? r.int(10, 19) : r.int(0, 9);
      ys[i] = cls;
    }
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: 4, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const x = tf.tensor2d(ids, [n, 4]);
    const y = tf.tensor2d(ys, [n, 1]);
    const emb0 = (model.layers[0].getWeights()[0].arraySync() as number[][]).map((row) => [...row]);
    const hist = await model.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0 });
    const losses = hist.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    const emb1 = model.layers[0].getWeights()[0].arraySync() as number[][];
    expect(emb1.some((row, i) => row.some((v, j) => Math.abs(v - emb0[i][j]) > 1e-3))).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a fused-LSTM model learns a sequence task', async () => {
    await tf.setBackend('wasm');
    // Label = whether the sum of the first feature over the sequence is positive.
    const r = rng(8);
    const n = 128, T = 6, D = 3;
    const xs = new Float32Array(n * T * D);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) {
        const v = r.next() * 2 - 1;
        xs[(i * T + t) * D + d] = v;
        if (d === 0) s += v;
      }
      ys[i] = s > 0 ? 1 : 0;
    }
    const model = tf.sequential({
      layers: [
        createLstmLayer(tf, { units: 8, inputShape: [T, D], returnSequences: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        createLstmLayer(tf, { units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor3d(xs, [n, T, D]);
    const y = tf.tensor2d(ys, [n, 1]);
    const hist = await model.fit(x, y, { epochs: 25, batchSize: 32, verbose: 0 });
    const losses = hist.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.6);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('does not leak tensors or wasm memory across steps', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 9, 9, 3]) as tf.Tensor4D;
    const f = tf.variable(tf.randomNormal([3, 3, 3, 5]));
    const W = tf.randomNormal([5, 16]);
    const U = tf.randomNormal([4, 16]);
    const bias = tf.randomNormal([16]);
    const step = () =>
      tf.tidy(() => [
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').relu() as tf.Tensor4D, 2, 2, 'same').sum())([x, f]),
        // conv with 1 input channel (im2col filter gradient), a bias-style sum, identity, the fused LSTM
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid').sum([0, 1, 2]).square().sum())([x.slice([0, 0, 0, 0], [4, 9, 9, 1]), f.slice([0, 0, 0, 0], [3, 3, 1, 5])]),
        tf.clone(x),
        ...tf.grads((a: tf.Tensor, w: tf.Tensor, u: tf.Tensor, bb: tf.Tensor) => fusedLstm(tf, a, w, u, bb, { recurrentActivation: 'hardSigmoid', returnSequences: true }).sum())([x.reshape([4, 9, 27]).slice([0, 0, 0], [4, 9, 5]), W, U, bias]),
      ]);
    tf.dispose(step());
    const before = tf.memory();
    const idsBefore = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) tf.dispose(step());
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    // Intermediates of the composed kernels are released in the backend too.
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore);
    tf.dispose([x, f, W, U, bias]);
  });

  it('reports the worst relative error seen', () => {
    console.log(`wasm training kernels: worst max-abs-error / max(1, max|value|) = ${worstRel.toExponential(2)}`);
    expect(worstRel).toBeLessThanOrEqual(1e-4);
  });
});
