import type * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { heapPtr, parallelFor, simdGemm, simdKernels } from './simdKernels';

/**
 * A fused LSTM for the tfjs `wasm` backend: the whole sequence is one forward kernel and one backward kernel
 * (registered as `NeurowireLstmForward` / `NeurowireLstmBackward`) tied together with `tf.customGrad`, instead
 * of tfjs-layers' ~1,400 small kernels per training step (split, hard-sigmoid as mul/add/clip, select-based
 * clip gradients, ...).
 *
 * Forward: one matmul X·W for all time steps, then per step one matmul h·U (XNNPACK, U packed once per call)
 * and the gate arithmetic in one JS pass over the wasm heap. Backward: the gate gradients per step in one JS
 * pass plus one matmul dZ·Uᵀ per step; the weight gradients are three matmuls over the whole sequence
 * (dWᵀ = dZᵀX, dUᵀ = dZᵀH₋₁, dX = dZ·Wᵀ) and a column sum (db). Same maths as tfjs-layers' LSTMCell
 * (gate order i, f, c, o; z = x·W + h·U + b; c = f·c₋₁ + i·tanh(z_c); h = o·tanh(c)), verified against the
 * cpu backend in tests/unit/wasm-kernels.test.ts.
 *
 * With WebAssembly SIMD (lstm.wat, for H >= 4) the per-step gate maths run in wasm in place on the heap and the
 * per-step matmuls call the SIMD GEMM directly into reused buffers; the weight gradients are then Xᵀ·dZ,
 * H₋₁ᵀ·dZ and 1ᵀ·dZ (no transposes of dZ). The JS loops below remain the fallback.
 *
 * `createLstmLayer(tf, args)` returns a tfjs-layers LSTM (same class name 'LSTM', same weights, same config,
 * so saved models load as plain tf.layers.lstm) whose call() takes the fused path when it can (wasm backend
 * with the kernels registered, tanh activation, hardSigmoid or sigmoid recurrent activation, no dropout,
 * no mask, no initial state, not stateful, no returnState) and the stock path otherwise.
 */

type Tf = typeof tfjs;

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export const LSTM_FORWARD = 'NeurowireLstmForward';
export const LSTM_BACKWARD = 'NeurowireLstmBackward';

type RecAct = 'hardSigmoid' | 'sigmoid';

/**
 * Gate values (rows × 4H) a share of a split LSTM step covers at least: a step's gate maths are tens of
 * microseconds, so only a large batch or many units are worth handing over.
 */
const GATE_SHARE_MIN_VALUES = 4096;

const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/**
 * tanh as a rational minimax approximation (Eigen's float tanh): |error| < 3e-7 absolute, arithmetic only, ~3x
 * faster than Math.tanh in V8 (which is an out-of-line call).
 */
function tanh(x: number): number {
  const lim = 7.90531110763549805;
  x = x > lim ? lim : x < -lim ? -lim : x;
  const x2 = x * x;
  let p = -2.76076847742355e-16;
  p = p * x2 + 2.00018790482477e-13;
  p = p * x2 + -8.60467152213735e-11;
  p = p * x2 + 5.12229709037114e-8;
  p = p * x2 + 1.48572235717979e-5;
  p = p * x2 + 6.37261928875436e-4;
  p = p * x2 + 4.89352455891786e-3;
  let q = 1.19825839466702e-6;
  q = q * x2 + 1.18534705686654e-4;
  q = q * x2 + 2.268434632439e-3;
  q = q * x2 + 4.89352518554385e-3;
  return (p * x) / q;
}

// sigmoid(x) is computed as (1 + tanh(x/2)) / 2 with the approximation above.

/** tfjs-layers' hardSigmoid before the clip: 0.2x + 0.5 (float32 constants). */
const HS_A = Math.fround(0.2);

export function lstmKernelConfigs(tf: Tf): KernelConfig[] {
  const cache = new Map<string, KernelFunc>();
  const k = (name: string): KernelFunc => {
    let f = cache.get(name);
    if (!f) {
      const cfg = tf.getKernel(name, 'wasm');
      if (!cfg) throw new Error(`fused LSTM: the wasm backend has no '${name}' kernel`);
      f = cfg.kernelFunc;
      cache.set(name, f);
    }
    return f;
  };
  const call = (b: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo => {
    const r = k(name)({ inputs, backend: b as never, attrs }) as TensorInfo | TensorInfo[];
    return Array.isArray(r) ? r[0] : r;
  };
  const matmul = (b: WasmBackend, a: TensorInfo, bb: TensorInfo) => call(b, 'BatchMatMul', { a, b: bb }, { transposeA: false, transposeB: false });
  const transpose = (b: WasmBackend, x: TensorInfo, perm: number[]) => call(b, 'Transpose', { x }, { perm });
  const f32 = (b: WasmBackend, t: TensorInfo) => b.typedArrayFromHeap(t) as Float32Array;

  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend;
    const { x, kernel: W, recurrentKernel: U, bias } = inputs as Record<string, TensorInfo | undefined> as {
      x: TensorInfo;
      kernel: TensorInfo;
      recurrentKernel: TensorInfo;
      bias?: TensorInfo;
    };
    const a = attrs as NamedAttrMap;
    const hard = (a.recurrentActivation as RecAct) === 'hardSigmoid';
    const back = Boolean(a.goBackwards);
    const [B, T, D] = x.shape;
    const H = U.shape[0];
    const G = 4 * H;
    if (W.shape[0] !== D || W.shape[1] !== G || U.shape[1] !== G) throw new Error(`fused LSTM: weight shapes ${W.shape} / ${U.shape} do not fit input ${x.shape}`);
    const xT = transpose(b, x, [1, 0, 2]); // [T,B,D], time order
    const Z = matmul(b, view(xT, [T * B, D]), W); // [T*B,G] time order; becomes the pre-activations
    const C = b.makeOutput([T, B, H], 'float32'); // step order
    const Hs = b.makeOutput([T, B, H], 'float32'); // step order
    const hbuf = b.makeOutput([B, H], 'float32');
    const BH = B * H;
    // (lstm.wat needs at least 4 units: its last vector of a row may overlap the one before.)
    const sk = H >= 4 ? simdKernels(b) : null;
    if (sk) {
      // Gate maths in wasm SIMD, in place on the heap. One zero buffer stands for h·U at step 0, c₋₁ and a
      // missing bias.
      const zero = b.makeOutput([B * G], 'float32');
      f32(b, zero).fill(0);
      const pZ = heapPtr(b, Z.dataId), pC = heapPtr(b, C.dataId), pH = heapPtr(b, Hs.dataId), pHb = heapPtr(b, hbuf.dataId);
      const p0 = heapPtr(b, zero.dataId);
      const pBias = bias ? heapPtr(b, bias.dataId) : p0;
      // h·U into one buffer reused by every step, with the SIMD GEMM called directly (G = 4H is a multiple of 4).
      const R = b.makeOutput([B, G], 'float32');
      const pR = heapPtr(b, R.dataId), pU = heapPtr(b, U.dataId);
      const rowsPerShare = Math.ceil(GATE_SHARE_MIN_VALUES / G);
      for (let s = 0; s < T; s++) {
        const tz = back ? T - 1 - s : s;
        if (s > 0) simdGemm(sk, pHb, pU, pR, B, H, G);
        const pz = pZ + tz * B * G * 4, pr = s > 0 ? pR : p0, pcPrev = s > 0 ? pC + (s - 1) * BH * 4 : p0, pc = pC + s * BH * 4, ph = pH + s * BH * 4;
        // Split by rows (each row's maths is independent; the zero buffer has B·G floats).
        parallelFor(sk, 'lstmFwd', B, 1, rowsPerShare, (r, n) => [pz + r * G * 4, pr + r * G * 4, pBias, pcPrev + r * H * 4, pc + r * H * 4, ph + r * H * 4, pHb + r * H * 4, n, H, hard ? 1 : 0]);
      }
      b.disposeData(R.dataId);
      b.disposeData(zero.dataId);
    }
    for (let s = 0; s < T && !sk; s++) {
      const tz = back ? T - 1 - s : s;
      const R = s > 0 ? matmul(b, hbuf, U) : null;
      const z = f32(b, Z), c = f32(b, C), h = f32(b, Hs), hb = f32(b, hbuf);
      const r = R ? f32(b, R) : null;
      const bs = bias ? f32(b, bias) : null;
      const zb = tz * B * G;
      if (r && bs) {
        for (let bi = 0, o = zb, ro = 0; bi < B; bi++) for (let g = 0; g < G; g++, o++, ro++) z[o] = z[o] + r[ro] + bs[g];
      } else if (r) {
        for (let i = 0, n = B * G; i < n; i++) z[zb + i] += r[i];
      } else if (bs) {
        for (let bi = 0, o = zb; bi < B; bi++) for (let g = 0; g < G; g++, o++) z[o] += bs[g];
      }
      for (let bi = 0; bi < B; bi++) {
        const zo = zb + bi * G;
        const co = s * BH + bi * H;
        const hbo = bi * H;
        for (let j = 0; j < H; j++) {
          const zi = z[zo + j], zf = z[zo + H + j], zc = z[zo + 2 * H + j], zg = z[zo + 3 * H + j];
          let ig: number, fg: number, og: number;
          if (hard) {
            ig = HS_A * zi + 0.5;
            ig = ig < 0 ? 0 : ig > 1 ? 1 : ig;
            fg = HS_A * zf + 0.5;
            fg = fg < 0 ? 0 : fg > 1 ? 1 : fg;
            og = HS_A * zg + 0.5;
            og = og < 0 ? 0 : og > 1 ? 1 : og;
          } else {
            ig = 0.5 + 0.5 * tanh(0.5 * zi);
            fg = 0.5 + 0.5 * tanh(0.5 * zf);
            og = 0.5 + 0.5 * tanh(0.5 * zg);
          }
          const cPrev = s > 0 ? c[co - BH + j] : 0;
          const cn = fg * cPrev + ig * tanh(zc);
          c[co + j] = cn;
          const hn = og * tanh(c[co + j]);
          h[co + j] = hn;
          hb[hbo + j] = hn;
        }
      }
      if (R) b.disposeData(R.dataId);
    }
    b.disposeData(hbuf.dataId);
    let out: TensorInfo;
    if (a.returnSequences) {
      out = transpose(b, Hs, [1, 0, 2]); // [B,T,H] in step order, as tfjs-layers' rnn() stacks them
    } else {
      out = b.makeOutput([B, H], 'float32');
      const hsv = f32(b, Hs);
      f32(b, out).set(hsv.subarray((T - 1) * BH, T * BH));
    }
    return [out, xT, Z, C, Hs];
  };

  const backward: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackend;
    const { dy, xT, kernel: W, recurrentKernel: U, z: Z, c: C, hs: Hs } = inputs as Record<string, TensorInfo>;
    const a = attrs as NamedAttrMap;
    const hard = (a.recurrentActivation as RecAct) === 'hardSigmoid';
    const back = Boolean(a.goBackwards);
    const seq = Boolean(a.returnSequences);
    const [T, B, D] = xT.shape;
    const H = U.shape[0];
    const G = 4 * H;
    const BH = B * H;
    const UT = transpose(b, U, [1, 0]); // [G,H], packed once for all steps
    const dZ = b.makeOutput([T * B, G], 'float32'); // time order
    const dzbuf = b.makeOutput([B, G], 'float32');
    const sk = H >= 4 ? simdKernels(b) : null;
    if (sk) {
      const zero = b.makeOutput([B * G], 'float32');
      // dc in two buffers that swap roles every step (the kernel reads dc of step s, writes that of s-1).
      const dcA = b.makeOutput([B, H], 'float32');
      const dcB = b.makeOutput([B, H], 'float32');
      f32(b, zero).fill(0);
      f32(b, dcA).fill(0);
      const pZ = heapPtr(b, Z.dataId), pC = heapPtr(b, C.dataId), pdZ = heapPtr(b, dZ.dataId), pdzb = heapPtr(b, dzbuf.dataId);
      const p0 = heapPtr(b, zero.dataId), pdy = heapPtr(b, dy.dataId);
      let pdcIn = heapPtr(b, dcA.dataId), pdcOut = heapPtr(b, dcB.dataId);
      // dh = dZ_{s+1}·Uᵀ from the previous iteration: into one reused buffer by the SIMD GEMM when H % 4 == 0.
      const dhBuf = H % 4 === 0 ? b.makeOutput([B, H], 'float32') : null;
      const pUT = heapPtr(b, UT.dataId);
      let dhT: TensorInfo | null = null;
      for (let s = T - 1; s >= 0; s--) {
        const tz = back ? T - 1 - s : s;
        // dy's contribution to dh: row bi of step s (returnSequences), or the last step only; else zeros.
        const [py, stride] = seq ? [pdy + s * H * 4, T * H * 4] : s === T - 1 ? [pdy, H * 4] : [p0, 0];
        const off = tz * B * G * 4;
        const pz = pZ + off, pc = pC + s * BH * 4, pcPrev = s > 0 ? pC + (s - 1) * BH * 4 : p0, pdh = dhT ? heapPtr(b, dhT.dataId) : p0, dcIn = pdcIn, dcOut = pdcOut;
        parallelFor(sk, 'lstmBwd', B, 1, Math.ceil(GATE_SHARE_MIN_VALUES / G), (r, n) => [
          pz + r * G * 4, pc + r * H * 4, pcPrev + r * H * 4, pdh + r * H * 4, py + r * stride, stride, dcIn + r * H * 4, dcOut + r * H * 4, pdZ + off + r * G * 4, pdzb + r * G * 4, n, H, hard ? 1 : 0,
        ]);
        [pdcIn, pdcOut] = [pdcOut, pdcIn];
        if (dhT && dhT !== dhBuf) b.disposeData(dhT.dataId);
        dhT = null;
        if (s > 0 && dhBuf) {
          simdGemm(sk, pdzb, pUT, heapPtr(b, dhBuf.dataId), B, G, H);
          dhT = dhBuf;
        } else if (s > 0) dhT = matmul(b, dzbuf, UT); // [B,H] = dZ_s · Uᵀ
      }
      if (dhBuf) b.disposeData(dhBuf.dataId);
      b.disposeData(zero.dataId);
      b.disposeData(dcA.dataId);
      b.disposeData(dcB.dataId);
    }
    const dh = new Float32Array(sk ? 0 : BH);
    const dc = new Float32Array(sk ? 0 : BH);
    for (let s = T - 1; s >= 0 && !sk; s--) {
      const tz = back ? T - 1 - s : s;
      const dys = f32(b, dy);
      if (seq) {
        for (let bi = 0; bi < B; bi++) {
          const o = (bi * T + s) * H;
          for (let j = 0; j < H; j++) dh[bi * H + j] += dys[o + j];
        }
      } else if (s === T - 1) {
        for (let i = 0; i < BH; i++) dh[i] += dys[i];
      }
      const z = f32(b, Z), c = f32(b, C), dz = f32(b, dZ), dzb = f32(b, dzbuf);
      for (let bi = 0; bi < B; bi++) {
        const zo = (tz * B + bi) * G;
        const bo = bi * G;
        const co = s * BH + bi * H;
        for (let j = 0; j < H; j++) {
          const zi = z[zo + j], zf = z[zo + H + j], zc = z[zo + 2 * H + j], zg = z[zo + 3 * H + j];
          let ig: number, fg: number, og: number, dig: number, dfg: number, dog: number;
          if (hard) {
            const yi = HS_A * zi + 0.5, yf = HS_A * zf + 0.5, yo = HS_A * zg + 0.5;
            ig = yi < 0 ? 0 : yi > 1 ? 1 : yi;
            fg = yf < 0 ? 0 : yf > 1 ? 1 : yf;
            og = yo < 0 ? 0 : yo > 1 ? 1 : yo;
            // clipByValue passes the gradient where min <= y <= max (inclusive), then the 0.2 slope.
            dig = yi >= 0 && yi <= 1 ? HS_A : 0;
            dfg = yf >= 0 && yf <= 1 ? HS_A : 0;
            dog = yo >= 0 && yo <= 1 ? HS_A : 0;
          } else {
            ig = 0.5 + 0.5 * tanh(0.5 * zi);
            fg = 0.5 + 0.5 * tanh(0.5 * zf);
            og = 0.5 + 0.5 * tanh(0.5 * zg);
            dig = ig * (1 - ig);
            dfg = fg * (1 - fg);
            dog = og * (1 - og);
          }
          const cc = tanh(zc);
          const cn = c[co + j];
          const cPrev = s > 0 ? c[co - BH + j] : 0;
          const tc = tanh(cn);
          const k = bi * H + j;
          const dhv = dh[k];
          const dcv = dc[k] + dhv * og * (1 - tc * tc);
          const gi = dcv * cc * dig;
          const gf = dcv * cPrev * dfg;
          const gc = dcv * ig * (1 - cc * cc);
          const go = dhv * tc * dog;
          dc[k] = dcv * fg;
          dz[zo + j] = gi;
          dz[zo + H + j] = gf;
          dz[zo + 2 * H + j] = gc;
          dz[zo + 3 * H + j] = go;
          dzb[bo + j] = gi;
          dzb[bo + H + j] = gf;
          dzb[bo + 2 * H + j] = gc;
          dzb[bo + 3 * H + j] = go;
        }
      }
      if (s > 0) {
        const R = matmul(b, dzbuf, UT); // [B,H] = dZ_s · Uᵀ
        dh.set(f32(b, R));
        b.disposeData(R.dataId);
      }
    }
    b.disposeData(dzbuf.dataId);
    b.disposeData(UT.dataId);
    // H₋₁ in time order: block tz(s) holds h of step s-1 (zeros for the first step).
    const Hp = b.makeOutput([T * B, H], 'float32');
    {
      const hp = f32(b, Hp), hs = f32(b, Hs);
      for (let s = 0; s < T; s++) {
        const tz = back ? T - 1 - s : s;
        if (s === 0) hp.fill(0, tz * BH, (tz + 1) * BH);
        else hp.set(hs.subarray((s - 1) * BH, s * BH), tz * BH);
      }
    }
    let dW: TensorInfo, dU: TensorInfo, db: TensorInfo;
    if (sk) {
      // With the SIMD GEMM (no packing) the weight gradients come out in their own layout:
      // dW = Xᵀ·dZ, dU = H₋₁ᵀ·dZ, db = 1ᵀ·dZ (only the small X and H₋₁ are transposed).
      const XtT = transpose(b, view(xT, [T * B, D]), [1, 0]); // [D, T*B]
      dW = matmul(b, XtT, dZ); // [D,G]
      b.disposeData(XtT.dataId);
      const HpT = transpose(b, Hp, [1, 0]); // [H, T*B]
      b.disposeData(Hp.dataId);
      dU = matmul(b, HpT, dZ); // [H,G]
      b.disposeData(HpT.dataId);
      const ones = b.makeOutput([1, T * B], 'float32');
      f32(b, ones).fill(1);
      db = view(matmul(b, ones, dZ), [G]);
      b.disposeData(ones.dataId);
    } else {
      const dZT = transpose(b, dZ, [1, 0]); // [G, T*B]: dZ is the streamed operand, only X / H₋₁ get packed
      const dWT = matmul(b, dZT, view(xT, [T * B, D])); // [G,D]
      dW = transpose(b, dWT, [1, 0]);
      b.disposeData(dWT.dataId);
      const dUT = matmul(b, dZT, Hp); // [G,H]
      dU = transpose(b, dUT, [1, 0]);
      b.disposeData(dUT.dataId);
      b.disposeData(Hp.dataId);
      b.disposeData(dZT.dataId);
      db = b.makeOutput([G], 'float32');
      {
        const dz = f32(b, dZ);
        const acc = new Float64Array(G);
        const rows = T * B;
        let r = 0, off = 0;
        for (; r + 4 <= rows; r += 4, off += 4 * G) {
          const o1 = off + G, o2 = o1 + G, o3 = o2 + G;
          for (let j = 0; j < G; j++) acc[j] += dz[off + j] + dz[o1 + j] + (dz[o2 + j] + dz[o3 + j]);
        }
        for (; r < rows; r++, off += G) for (let j = 0; j < G; j++) acc[j] += dz[off + j];
        f32(b, db).set(acc);
      }
    }
    const WT = transpose(b, W, [1, 0]); // [G,D]
    const dxT = matmul(b, dZ, WT); // [T*B,D]
    b.disposeData(WT.dataId);
    b.disposeData(dZ.dataId);
    const dx = transpose(b, view(dxT, [T, B, D]), [1, 0, 2]); // [B,T,D]
    b.disposeData(dxT.dataId);
    return [dx, dW, dU, db];
  };

  return [
    { kernelName: LSTM_FORWARD, backendName: 'wasm', kernelFunc: forward },
    { kernelName: LSTM_BACKWARD, backendName: 'wasm', kernelFunc: backward },
  ];
}

/** Fused LSTM over a whole sequence, differentiable (customGrad). x [B,T,D]; returns [B,T,H] or [B,H]. */
export function fusedLstm(
  tf: Tf,
  x: Tensor,
  kernel: Tensor,
  recurrentKernel: Tensor,
  bias: Tensor | null,
  opts: { recurrentActivation: RecAct; goBackwards?: boolean; returnSequences?: boolean },
): Tensor {
  const attrs = { recurrentActivation: opts.recurrentActivation, goBackwards: Boolean(opts.goBackwards), returnSequences: Boolean(opts.returnSequences) };
  const engine = tf.engine();
  const b = bias ?? tf.zeros([recurrentKernel.shape[1] as number]);
  const f = tf.customGrad(((xx: Tensor, W: Tensor, U: Tensor, bb: Tensor, save: (ts: Tensor[]) => void) => {
    const [out, xT, Z, C, Hs] = engine.runKernel(LSTM_FORWARD, { x: xx, kernel: W, recurrentKernel: U, bias: bb }, attrs) as unknown as Tensor[];
    save([xT, W, U, Z, C, Hs]);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sxT, sW, sU, sZ, sC, sHs] = saved;
        return engine.runKernel(LSTM_BACKWARD, { dy, xT: sxT, kernel: sW, recurrentKernel: sU, z: sZ, c: sC, hs: sHs }, attrs) as unknown as Tensor[];
      },
    };
  }) as never) as unknown as (...ts: Tensor[]) => Tensor;
  const out = f(x, kernel, recurrentKernel, b);
  if (!bias) b.dispose();
  return out;
}

// ------------------------------------------------------------------------------------------------ layer

interface LstmLike {
  cell: {
    kernel: { read(): Tensor };
    recurrentKernel: { read(): Tensor };
    bias: { read(): Tensor } | null;
    useBias: boolean;
    dropout: number;
    recurrentDropout: number;
    activation: { getClassName(): string };
    recurrentActivation: { getClassName(): string };
  };
  stateful: boolean;
  returnState: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
}

const classCache = new WeakMap<object, new (args: object) => tfjs.layers.Layer>();

/** Whether the fused path applies to this layer call. */
function fusable(tf: Tf, layer: LstmLike, inputs: Tensor | Tensor[], kwargs: Record<string, unknown> | undefined): boolean {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(LSTM_FORWARD, 'wasm') || !tf.getKernel(LSTM_BACKWARD, 'wasm')) return false;
  if (Array.isArray(inputs) && inputs.length !== 1) return false;
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x.rank !== 3 || x.dtype !== 'float32') return false;
  if (kwargs && (kwargs.mask != null || kwargs.initialState != null)) return false;
  const c = layer.cell;
  if (layer.stateful || layer.returnState || c.dropout > 0 || c.recurrentDropout > 0) return false;
  if (c.activation.getClassName() !== 'tanh') return false;
  const ra = c.recurrentActivation.getClassName();
  return ra === 'hardSigmoid' || ra === 'sigmoid';
}

/**
 * A tf.layers.lstm(args) whose training/inference on the wasm backend uses the fused kernels (registered by
 * registerWasmTrainingKernels). Serialises as a plain 'LSTM'.
 */
export function createLstmLayer(tf: Tf, args: Parameters<Tf['layers']['lstm']>[0]): tfjs.layers.Layer {
  let Cls = classCache.get(tf);
  if (!Cls) {
    const Base = Object.getPrototypeOf(tf.layers.lstm({ units: 1 })).constructor as new (args: object) => tfjs.layers.Layer;
    class NeurowireLSTM extends (Base as unknown as new (args: object) => tfjs.layers.Layer & LstmLike) {
      static className = 'LSTM';
      override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
        if (!fusable(tf, this, inputs, kwargs)) return super.call(inputs, kwargs as never);
        return tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0] : inputs;
          const c = this.cell;
          return fusedLstm(tf, x, c.kernel.read(), c.recurrentKernel.read(), c.useBias && c.bias ? c.bias.read() : null, {
            recurrentActivation: c.recurrentActivation.getClassName() as RecAct,
            goBackwards: this.goBackwards,
            returnSequences: this.returnSequences,
          });
        });
      }
    }
    Cls = NeurowireLSTM as unknown as new (args: object) => tfjs.layers.Layer;
    classCache.set(tf, Cls);
  }
  return new Cls({ ...args });
}
