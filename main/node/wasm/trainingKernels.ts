import type * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { LSTM_BACKWARD, LSTM_FORWARD, lstmKernelConfigs } from './lstm';
import { ADAM_KERNEL, adamKernelConfig } from './adam';
import { heapPtr, loadSimdKernels, parallelFor, simdGemm, simdKernels, type SimdKernels } from './simdKernels';

export { createLstmLayer, fusedLstm } from './lstm';
export { createFusedAdam } from './adam';

/**
 * Training kernels for the tfjs `wasm` backend (@tensorflow/tfjs-backend-wasm 4.x), which ships without
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput and
 * UnsortedSegmentSum, and whose Conv2DBackpropInput and transposed BatchMatMul are scalar loops.
 *
 * Every kernel here is a composition of the backend's own (XNNPACK-backed) kernels, taken from the registry
 * with `tf.getKernel(name, 'wasm').kernelFunc`:
 *  - filter gradients are convolutions of the transposed input with the transposed output gradient used as the
 *    filter (dilation = the original stride, stride = the original dilation);
 *  - input gradients are convolutions of the zero-inserted, padded output gradient with the filter rotated 180°;
 *  - UnsortedSegmentSum is ScatterNd (which accumulates);
 *  - a transposed BatchMatMul transposes its operands explicitly and runs the original kernel's fast path.
 * Intermediates are released with `backend.disposeData(dataId)`.
 *
 * Where the engine runs WebAssembly SIMD (simdKernels.ts: small kernels written as WebAssembly text, *.wat in
 * this folder, that work in place on the backend's heap), these take over: non-transposed float32 matmuls with N % 4 == 0 (a GEMM
 * that packs nothing, so a new weight tensor every step costs nothing extra), filter gradients as im2col + GEMM,
 * 2x2 MaxPoolGrad, bias-gradient sums, the fused LSTM's gate maths and the fused Adam update (adam.ts).
 * `NEUROWIRE_NO_SIMD_KERNELS=1` (or setSimdKernelsEnabled(false)) turns them off: the paths above remain.
 */

type Tf = typeof tfjs;

/** The parts of BackendWasm used here (the class is not exported in a way we can type against cheaply). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { id: number } | undefined };
  incRef(dataId: object): void;
}

type Pads = [[number, number], [number, number], [number, number], [number, number]];

const MARK = '__neurowireWasmTraining';
type MarkedFunc = KernelFunc & { [MARK]?: true; __original?: KernelFunc };

export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'BatchMatMul',
  'MaxPoolGrad',
  'Sum',
  'Identity',
  LSTM_FORWARD,
  LSTM_BACKWARD,
  ADAM_KERNEL,
] as const;

function sizeOf(shape: number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** A new TensorInfo for the same data with another shape; NOT reference-counted (never dispose a view). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function pair(v: number | [number, number] | number[] | undefined, dflt = 1): [number, number] {
  if (v == null) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

function assertNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(
      `${kernel} on the wasm backend supports only dataFormat 'NHWC' (channels last), got '${String(dataFormat)}'. ` +
        `Transpose NCHW data to NHWC or use another backend.`,
    );
  }
}

/**
 * Build, in one pass, the 4-D tensor [N, top + (H-1)*sh + 1 + bottom, left + (W-1)*sw + 1 + right, C]:
 * t with sh-1 / sw-1 zero rows / columns inserted between its rows / columns, then padded with zeros
 * (a negative pad crops). Done directly on the wasm heap.
 */
function dilatePad(backend: WasmBackend, t: TensorInfo, sh: number, sw: number, top: number, bottom: number, left: number, right: number): TensorInfo {
  const [N, H, W, C] = t.shape;
  const Ho = top + (H - 1) * sh + 1 + bottom;
  const Wo = left + (W - 1) * sw + 1 + right;
  if (Ho <= 0 || Wo <= 0) throw new Error(`wasm training kernels: empty intermediate ${Ho}x${Wo}`);
  const out = backend.makeOutput([N, Ho, Wo, C], t.dtype);
  // Views after makeOutput: growing the heap detaches earlier views.
  const src = backend.typedArrayFromHeap(t) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < H; i++) {
      const y = top + i * sh;
      if (y < 0 || y >= Ho) continue;
      const srcRow = (n * H + i) * W * C;
      const dstRow = (n * Ho + y) * Wo * C;
      for (let j = 0; j < W; j++) {
        const x = left + j * sw;
        if (x < 0 || x >= Wo) continue;
        const s = srcRow + j * C;
        const d = dstRow + x * C;
        for (let c = 0; c < C; c++) dst[d + c] = src[s + c];
      }
    }
  }
  return out;
}

interface Ctx {
  tf: Tf;
  k: (name: string) => KernelFunc;
}

function makeCtx(tf: Tf): Ctx {
  const cache = new Map<string, KernelFunc>();
  return {
    tf,
    k(name: string): KernelFunc {
      let f = cache.get(name);
      if (!f) {
        const cfg = tf.getKernel(name, 'wasm');
        if (!cfg) throw new Error(`wasm training kernels: the wasm backend has no '${name}' kernel to compose from`);
        f = cfg.kernelFunc;
        cache.set(name, f);
      }
      return f;
    },
  };
}

function run(ctx: Ctx, backend: WasmBackend, name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const r = ctx.k(name)({ inputs, backend: backend as never, attrs }) as TensorInfo | TensorInfo[];
  return Array.isArray(r) ? r[0] : r;
}

const transpose = (ctx: Ctx, b: WasmBackend, x: TensorInfo, perm: number[]) => run(ctx, b, 'Transpose', { x }, { perm });

/**
 * Convolve `input` [B,H,W,Ci] with `filter` ([fh,fw,Ci,Co] or, depthwise, [fh,fw,Ci,M]) using the given stride,
 * dilation and explicit pads; negative pads (crops) and stride-1 dilation of the input are done by dilatePad.
 */
function conv(ctx: Ctx, b: WasmBackend, depthwise: boolean, input: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pads: [number, number, number, number], inputDilation: [number, number] = [1, 1]): TensorInfo {
  let [t, bo, l, r] = pads;
  let x = input;
  let tmp: TensorInfo | null = null;
  if (t < 0 || bo < 0 || l < 0 || r < 0 || inputDilation[0] > 1 || inputDilation[1] > 1) {
    tmp = dilatePad(b, input, inputDilation[0], inputDilation[1], t, bo, l, r);
    x = tmp;
    t = bo = l = r = 0;
  }
  const explicit: Pads = [[0, 0], [t, bo], [l, r], [0, 0]];
  const out = depthwise
    ? run(ctx, b, 'DepthwiseConv2dNative', { x, filter }, { strides, dilations, pad: explicit as never, dimRoundingMode: undefined as never })
    : run(ctx, b, 'Conv2D', { x, filter }, { strides, dilations, pad: explicit as never, dataFormat: 'NHWC', dimRoundingMode: undefined as never });
  if (tmp) b.disposeData(tmp.dataId);
  return out;
}

interface GeomInfo {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number; bottom: number; right: number };
}

function geometry(tf: Tf, kernel: string, xShape: number[], filterShape: number[], attrs: NamedAttrMap, depthwise: boolean): GeomInfo {
  assertNHWC(kernel, attrs.dataFormat);
  const strides = pair(attrs.strides as never);
  const dilations = pair(attrs.dilations as never);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    attrs.pad as never,
    attrs.dimRoundingMode as never,
    depthwise,
    'channelsLast',
  );
  return info as unknown as GeomInfo;
}

/**
 * Patches of at most this many values (fh*fw*C) take the im2col path for the filter gradient: with few input
 * channels (e.g. the first layer on grey images) the convolution formulation has a huge "filter" (the output
 * gradient) that XNNPACK must repack on every call and a tiny output, so it runs at ~1.5 GFLOP/s.
 */
const SMALL_PATCH = 32;

/**
 * im2col: every output position's receptive field of x [N,H,W,C], one row each, into ps [N*OH*OW, fh*fw*C]
 * (zeros where the window hangs over the padding). The fallback without SIMD kernels (im2col.wat's im2colRows).
 */
function im2colRows(xs: Float32Array, ps: Float32Array, xShape: number[], OH: number, OW: number, fh: number, fw: number, g: GeomInfo): void {
  const [N, H, W, C] = xShape;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const pt = g.padInfo.top, pl = g.padInfo.left;
  let r = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        for (let kh = 0; kh < fh; kh++) {
          const ih = ih0 + kh * dh;
          if (ih < 0 || ih >= H) {
            ps.fill(0, r, r + fw * C);
            r += fw * C;
            continue;
          }
          if (dw === 1 && iw0 >= 0 && iw0 + fw <= W) {
            // the whole row of the window is contiguous in x
            ps.set(xs.subarray(xn + (ih * W + iw0) * C, xn + (ih * W + iw0 + fw) * C), r);
            r += fw * C;
            continue;
          }
          for (let kw = 0; kw < fw; kw++) {
            const iw = iw0 + kw * dw;
            if (iw >= 0 && iw < W) {
              const s = xn + (ih * W + iw) * C;
              for (let c = 0; c < C; c++) ps[r++] = xs[s + c];
            } else {
              for (let c = 0; c < C; c++) ps[r++] = 0;
            }
          }
        }
      }
    }
  }
}

/**
 * dW = P^T dy computed as dW^T = dy^T P, where P [N*OH*OW, fh*fw*C] is the im2col matrix of x: the big operand dy
 * is the streamed (left) operand of the matmul and only the small P is packed.
 */
function filterGradientIm2col(ctx: Ctx, b: WasmBackend, x: TensorInfo, dy: TensorInfo, filterShape: number[], g: GeomInfo): TensorInfo {
  const [N, , , C] = x.shape;
  const [, OH, OW, O] = dy.shape;
  const [fh, fw] = filterShape;
  const K = fh * fw * C;
  const NP = N * OH * OW;
  const sk = O % 4 === 0 ? simdKernels(b) : null;
  if (sk) return filterGradientIm2colT(sk, b, x, dy, filterShape, g);
  const P = b.makeOutput([NP, K], 'float32');
  const xs = b.typedArrayFromHeap(x) as Float32Array;
  const ps = b.typedArrayFromHeap(P) as Float32Array;
  im2colRows(xs, ps, x.shape, OH, OW, fh, fw, g);
  const dyT = transpose(ctx, b, view(dy, [NP, O]), [1, 0]); // [O, NP]
  const wT = run(ctx, b, 'BatchMatMul', { a: dyT, b: P }, { transposeA: false, transposeB: false }); // [O, K]
  b.disposeData(dyT.dataId);
  b.disposeData(P.dataId);
  const out = transpose(ctx, b, view(wT, [O, K]), [1, 0]); // [K, O]
  b.disposeData(wT.dataId);
  return view(out, [fh, fw, C, O]);
}

/**
 * The im2col filter gradient with the SIMD GEMM: Pᵀ [K, N*OH*OW] is built directly (im2col.wat, split by
 * positions over the kernel pool) and dW [K, O] = Pᵀ·dy comes out in the filter's own layout — no transposes,
 * no packing of the big dy.
 */
function filterGradientIm2colT(sk: SimdKernels, b: WasmBackend, x: TensorInfo, dy: TensorInfo, filterShape: number[], g: GeomInfo): TensorInfo {
  const [N, H, W, C] = x.shape;
  const [, OH, OW, O] = dy.shape;
  const [fh, fw] = filterShape;
  const K = fh * fw * C;
  const NP = N * OH * OW;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const pt = g.padInfo.top, pl = g.padInfo.left;
  const PT = b.makeOutput([K, NP], 'float32');
  const out = b.makeOutput([fh, fw, C, O], 'float32');
  const px = heapPtr(b, x.dataId), pp = heapPtr(b, PT.dataId);
  parallelFor(sk, 'im2colCols', NP, 4, Math.ceil(IM2COL_SHARE_MIN_VALUES / K), (r, n) => [px, pp, r, r + n, H, W, C, OH, OW, fh, fw, sh, sw, dh, dw, pt, pl, NP]);
  simdGemm(sk, heapPtr(b, PT.dataId), heapPtr(b, dy.dataId), heapPtr(b, out.dataId), K, NP, O);
  b.disposeData(PT.dataId);
  return out;
}

/** Values of an im2col matrix a share of its building writes at least (a copy of ~128 KB). */
const IM2COL_SHARE_MIN_VALUES = 32 * 1024;

/** Largest im2col matrix filterGradientGemm builds (bytes). */
const IM2COL_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The filter gradient as one GEMM: dWᵀ [O, K] = dyᵀ [O, N*OH*OW] · P [N*OH*OW, K] with P the im2col matrix of
 * x (K = fh*fw*C a multiple of 4), by the SIMD GEMM (K-blocked, no packing); ~2x XNNPACK's convolution of the
 * transposed tensors for e.g. 3x3x32 -> 64 filters.
 */
function filterGradientGemm(ctx: Ctx, sk: SimdKernels, b: WasmBackend, x: TensorInfo, dy: TensorInfo, filterShape: number[], g: GeomInfo): TensorInfo {
  const [N, , , C] = x.shape;
  const [, OH, OW, O] = dy.shape;
  const [fh, fw] = filterShape;
  const K = fh * fw * C;
  const NP = N * OH * OW;
  const dyT = transpose(ctx, b, view(dy, [NP, O]), [1, 0]); // [O, NP]
  const P = b.makeOutput([NP, K], 'float32');
  const wT = b.makeOutput([O, K], 'float32');
  const [, H, W] = x.shape;
  const px = heapPtr(b, x.dataId), pp = heapPtr(b, P.dataId);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  parallelFor(sk, 'im2colRows', NP, 1, Math.ceil(IM2COL_SHARE_MIN_VALUES / K), (r, n) => [px, pp, r, r + n, H, W, C, OH, OW, fh, fw, sh, sw, dh, dw, g.padInfo.top, g.padInfo.left]);
  simdGemm(sk, heapPtr(b, dyT.dataId), heapPtr(b, P.dataId), heapPtr(b, wT.dataId), O, NP, K);
  b.disposeData(dyT.dataId);
  b.disposeData(P.dataId);
  const out = transpose(ctx, b, wT, [1, 0]); // [K, O]
  b.disposeData(wT.dataId);
  return view(out, [fh, fw, C, O]);
}

/** dW for a (depthwise or not) convolution of x [N,H,W,C] producing dy [N,OH,OW,*]. */
function filterGradient(ctx: Ctx, b: WasmBackend, kernel: string, x: TensorInfo, dy: TensorInfo, filterShape: number[], g: GeomInfo, depthwise: boolean): TensorInfo {
  const [N, H, W, C] = x.shape;
  const [, OH, OW, DO] = dy.shape;
  const [fh, fw] = filterShape;
  if (OH !== g.outHeight || OW !== g.outWidth) {
    throw new Error(`${kernel}: dy has spatial shape ${OH}x${OW} but the convolution produces ${g.outHeight}x${g.outWidth}`);
  }
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const pt = g.padInfo.top, pl = g.padInfo.left;
  // Padded extent the new convolution needs: (fh-1)*dh + (OH-1)*sh + 1 rows.
  const pb = (fh - 1) * dh + (OH - 1) * sh + 1 - H - pt;
  const pr = (fw - 1) * dw + (OW - 1) * sw + 1 - W - pl;
  if (!depthwise && fh * fw * C <= SMALL_PATCH) {
    return filterGradientIm2col(ctx, b, x, dy, filterShape, g);
  }
  // (The im2col matrix is materialised: only while it stays small; larger convolutions keep XNNPACK's.)
  const sk = !depthwise && (fh * fw * C) % 4 === 0 && N * OH * OW * fh * fw * C * 4 <= IM2COL_MAX_BYTES ? simdKernels(b) : null;
  if (sk) return filterGradientGemm(ctx, sk, b, x, dy, filterShape, g);
  if (!depthwise) {
    const xT = transpose(ctx, b, x, [3, 1, 2, 0]); // [C,H,W,N]
    const dyT = transpose(ctx, b, dy, [1, 2, 0, 3]); // [OH,OW,N,O]
    const r = conv(ctx, b, false, xT, dyT, [dh, dw], [sh, sw], [pt, pb, pl, pr]); // [C,fh,fw,O]
    b.disposeData(xT.dataId);
    b.disposeData(dyT.dataId);
    const out = transpose(ctx, b, r, [1, 2, 0, 3]); // [fh,fw,C,O]
    b.disposeData(r.dataId);
    return out;
  }
  const M = filterShape[3];
  if (DO !== C * M) throw new Error(`${kernel}: dy has ${DO} channels, expected ${C}*${M}`);
  // Channel k = n*C + c of a single "image": a depthwise convolution keeps (n, c) apart; sum over n afterwards.
  const xT = transpose(ctx, b, x, [1, 2, 0, 3]); // [H,W,N,C]
  const dyT = transpose(ctx, b, dy, [1, 2, 0, 3]); // [OH,OW,N,C*M]
  const r = conv(ctx, b, true, view(xT, [1, H, W, N * C]), view(dyT, [OH, OW, N * C, M]), [dh, dw], [sh, sw], [pt, pb, pl, pr]); // [1,fh,fw,N*C*M]
  b.disposeData(xT.dataId);
  b.disposeData(dyT.dataId);
  if (N === 1) return view(r, [fh, fw, C, M]);
  const s = run(ctx, b, 'Sum', { x: view(r, [fh * fw, N, C * M]) }, { axis: [1], keepDims: false });
  b.disposeData(r.dataId);
  return view(s, [fh, fw, C, M]);
}

/** dx for a (depthwise or not) convolution: dy zero-inserted (stride) and padded, convolved with the rotated filter. */
function inputGradient(ctx: Ctx, b: WasmBackend, kernel: string, dy: TensorInfo, filter: TensorInfo, g: GeomInfo, depthwise: boolean): TensorInfo {
  const [N, OH, OW] = dy.shape;
  const [fh, fw, C, MO] = filter.shape;
  const H = g.inHeight, W = g.inWidth;
  if (OH !== g.outHeight || OW !== g.outWidth) {
    throw new Error(`${kernel}: dy has spatial shape ${OH}x${OW} but the convolution produces ${g.outHeight}x${g.outWidth}`);
  }
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const effH = (fh - 1) * dh + 1, effW = (fw - 1) * dw + 1;
  const top = effH - 1 - g.padInfo.top;
  const left = effW - 1 - g.padInfo.left;
  const bottom = H + effH - 1 - top - ((OH - 1) * sh + 1);
  const right = W + effW - 1 - left - ((OW - 1) * sw + 1);
  const rev = run(ctx, b, 'Reverse', { x: filter }, { dims: [0, 1] });
  let f: TensorInfo;
  if (depthwise) {
    f = view(rev, [fh, fw, C * MO, 1]);
  } else {
    f = transpose(ctx, b, rev, [0, 1, 3, 2]); // [fh,fw,O,C]
    b.disposeData(rev.dataId);
  }
  const r = conv(ctx, b, depthwise, dy, f, [1, 1], [dh, dw], [top, bottom, left, right], [sh, sw]);
  b.disposeData(f.dataId);
  if (!depthwise || MO === 1) return view(r, [N, H, W, C]);
  const s = run(ctx, b, 'Sum', { x: view(r, [N * H * W * C, MO]) }, { axis: [1], keepDims: false });
  b.disposeData(r.dataId);
  return view(s, [N, H, W, C]);
}

function isNCHW(dataFormat: unknown): boolean {
  return dataFormat === 'NCHW' || dataFormat === 'channelsFirst';
}

/** Bytes of input a share of a split MaxPoolGrad reads at least. */
const POOL_SHARE_MIN_BYTES = 128 * 1024;

/** MaxPoolGrad: per output cell, the (first) arg-max of its window receives dy; overlapping windows accumulate. */
function maxPoolGrad(tf: Tf, b: WasmBackend, dy: TensorInfo, input: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as never,
    attrs.strides as never,
    1,
    attrs.pad as never,
    attrs.dimRoundingMode as never,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight, fw = info.effectiveFilterWidth;
  const pt = info.padInfo.top, pl = info.padInfo.left;
  if (dy.shape[1] !== OH || dy.shape[2] !== OW || dy.shape[3] !== C) {
    throw new Error(`MaxPoolGrad: dy has shape ${dy.shape} but the pooling produces [${N},${OH},${OW},${C}]`);
  }
  const dx = b.makeOutput(input.shape, 'float32');
  const sk = simdKernels(b);
  if (sk && fh === 2 && fw === 2 && pt === 0 && pl === 0 && sh >= 2 && sw >= 2 && C % 4 === 0 && (OH - 1) * sh + 2 <= H && (OW - 1) * sw + 2 <= W) {
    // Disjoint 2x2 windows inside the input: wasm SIMD, 4 channels at a time. dx needs zeros only where no
    // window reaches.
    if (sh !== 2 || sw !== 2 || OH * 2 !== H || OW * 2 !== W) (b.typedArrayFromHeap(dx) as Float32Array).fill(0);
    // Split by images: each writes its own part of dx.
    const C4 = C * 4, image = H * W * C4, dyImage = OH * OW * C4;
    const px = heapPtr(b, input.dataId), pdy = heapPtr(b, dy.dataId), pdx = heapPtr(b, dx.dataId);
    parallelFor(sk, 'maxPoolGrad2x2', N, 1, Math.ceil(POOL_SHARE_MIN_BYTES / image), (n, count) => [px + n * image, pdy + n * dyImage, pdx + n * image, count, OH, OW, C4, W * C4, image, sh * W * C4, sw * C4]);
    return dx;
  }
  const xs = b.typedArrayFromHeap(input) as Float32Array;
  const dys = b.typedArrayFromHeap(dy) as Float32Array;
  const dxs = b.typedArrayFromHeap(dx) as Float32Array;
  dxs.fill(0);
  const rowStride = W * C;
  if (fh === 2 && fw === 2 && pt === 0 && pl === 0 && (OH - 1) * sh + 2 <= H && (OW - 1) * sw + 2 <= W) {
    // The common 2x2 window, fully inside the input: unrolled (first maximum in row-major order wins).
    let o = 0;
    for (let n = 0; n < N; n++) {
      const xn = n * H * rowStride;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o += C) {
          const p00 = xn + oh * sh * rowStride + ow * sw * C;
          const p01 = p00 + C, p10 = p00 + rowStride, p11 = p10 + C;
          for (let c = 0; c < C; c++) {
            let best = xs[p00 + c];
            let arg = p00 + c;
            const v1 = xs[p01 + c];
            if (v1 > best || best !== best) {
              best = v1;
              arg = p01 + c;
            }
            const v2 = xs[p10 + c];
            if (v2 > best || best !== best) {
              best = v2;
              arg = p10 + c;
            }
            const v3 = xs[p11 + c];
            if (v3 > best || best !== best) {
              best = v3;
              arg = p11 + c;
            }
            if (best === best && best !== -Infinity) dxs[arg] += dys[o + c];
          }
        }
      }
    }
    return dx;
  }
  let o = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * H * rowStride;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - pt;
      const hs = Math.max(0, h0), he = Math.min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++, o += C) {
        const w0 = ow * sw - pl;
        const ws = Math.max(0, w0), we = Math.min(W, w0 + fw);
        const first = xn + hs * rowStride + ws * C;
        for (let c = 0; c < C; c++) {
          // Row-major window scan with strict '>' keeps the first maximum, as the cpu backend does.
          let best = -Infinity;
          let arg = -1;
          for (let ih = hs, rb = first + c; ih < he; ih++, rb += rowStride) {
            for (let iw = ws, p = rb; iw < we; iw++, p += C) {
              const v = xs[p];
              if (v > best) {
                best = v;
                arg = p;
              }
            }
          }
          if (arg >= 0) dxs[arg] += dys[o + c];
        }
      }
    }
  }
  return dx;
}

function normAxes(axis: unknown, rank: number): number[] {
  const list = axis == null ? [...Array(rank).keys()] : Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
}

/** Values a share of a split column sum reads at least. */
const COLSUM_SHARE_MIN_VALUES = 32 * 1024;

/**
 * Sum over leading axes of a float32 tensor (a bias gradient: [N,H,W,C] -> [C]) in one pass: the stock kernel
 * transposes the reduced axes to the end first. Accumulates in float64, like the cpu backend. Returns null when
 * the case is not one handled here.
 */
function sumLeading(b: WasmBackend, x: TensorInfo, axis: unknown, keepDims: boolean): TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const rank = x.shape.length;
  const axes = normAxes(axis, rank);
  const k = axes.length;
  if (k === 0 || k >= rank || axes[k - 1] !== k - 1) return null;
  const rows = sizeOf(x.shape.slice(0, k));
  const inner = sizeOf(x.shape.slice(k));
  if (rows < 2 || inner < 2) return null;
  const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
  const out = b.makeOutput(outShape, 'float32');
  const sk = inner % 4 === 0 ? simdKernels(b) : null;
  if (sk) {
    // wasm SIMD, float64 accumulators on the heap (a float32 scratch tensor of 2·inner values).
    const scratch = b.makeOutput([2 * inner + 2], 'float32');
    const pAcc = (heapPtr(b, scratch.dataId) + 7) & ~7; // 8-byte aligned for the Float64Array views
    const accH = new Float64Array((b.typedArrayFromHeap(scratch) as Float32Array).buffer, pAcc, inner);
    accH.fill(0);
    // Split by columns (4 at a time): every column's sum is the one-thread sum.
    const px = heapPtr(b, x.dataId);
    parallelFor(sk, 'colSumF64', inner, 4, Math.ceil(COLSUM_SHARE_MIN_VALUES / rows), (j, n) => [px + j * 4, pAcc + j * 8, rows, n, inner * 4]);
    (b.typedArrayFromHeap(out) as Float32Array).set(new Float64Array((b.typedArrayFromHeap(scratch) as Float32Array).buffer, pAcc, inner));
    b.disposeData(scratch.dataId);
    return out;
  }
  const xs = b.typedArrayFromHeap(x) as Float32Array;
  const os = b.typedArrayFromHeap(out) as Float32Array;
  const acc = new Float64Array(inner);
  let r = 0, off = 0;
  // Four rows per pass: V8 does not vectorise, so fewer accumulator loads/stores is what helps (~2x).
  for (; r + 4 <= rows; r += 4, off += 4 * inner) {
    const o1 = off + inner, o2 = o1 + inner, o3 = o2 + inner;
    for (let j = 0; j < inner; j++) acc[j] += xs[off + j] + xs[o1 + j] + (xs[o2 + j] + xs[o3 + j]);
  }
  for (; r < rows; r++, off += inner) {
    for (let j = 0; j < inner; j++) acc[j] += xs[off + j];
  }
  os.set(acc);
  return out;
}

interface Stock {
  BatchMatMul: KernelConfig;
  Conv2DBackpropInput: KernelConfig;
  MaxPoolGrad: KernelConfig;
  Sum: KernelConfig;
  Identity: KernelConfig;
}

function makeKernels(tf: Tf, stock: Stock): KernelConfig[] {
  const originalBatchMatMul = stock.BatchMatMul;
  const originalBackpropInput = stock.Conv2DBackpropInput;
  const ctx = makeCtx(tf);
  const B = (backend: unknown) => backend as WasmBackend;

  const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = (attrs ?? {}) as NamedAttrMap;
    const filterShape = a.filterShape as number[];
    const g = geometry(tf, 'Conv2DBackpropFilter', x.shape, filterShape, { ...a, dilations: 1 }, false);
    return filterGradient(ctx, B(backend), 'Conv2DBackpropFilter', x, dy, filterShape, g, false);
  };

  const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = (attrs ?? {}) as NamedAttrMap;
    // The stock kernel handles NCHW (e.g. conv2dTranspose with channels first): keep it for that.
    if (isNCHW(a.dataFormat)) return originalBackpropInput.kernelFunc({ inputs, backend, attrs });
    const g = geometry(tf, 'Conv2DBackpropInput', a.inputShape as number[], filter.shape, { ...a, dilations: 1 }, false);
    return inputGradient(ctx, B(backend), 'Conv2DBackpropInput', dy, filter, g, false);
  };

  const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = (attrs ?? {}) as NamedAttrMap;
    const filterShape = a.filterShape as number[];
    const g = geometry(tf, 'DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, a, true);
    return filterGradient(ctx, B(backend), 'DepthwiseConv2dNativeBackpropFilter', x, dy, filterShape, g, true);
  };

  const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = (attrs ?? {}) as NamedAttrMap;
    const g = geometry(tf, 'DepthwiseConv2dNativeBackpropInput', a.inputShape as number[], filter.shape, a, true);
    return inputGradient(ctx, B(backend), 'DepthwiseConv2dNativeBackpropInput', dy, filter, g, true);
  };

  const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = B(backend);
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = (attrs as NamedAttrMap).numSegments as number;
    const idsRank = segmentIds.shape.length;
    const numIds = sizeOf(segmentIds.shape);
    const rest = x.shape.slice(idsRank);
    for (let i = 0; i < idsRank; i++) {
      if (x.shape[i] !== segmentIds.shape[i]) throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} must be a prefix of x shape ${x.shape}`);
    }
    const outShape = [numSegments, ...rest];
    const inner = sizeOf(rest);
    let ids = b.typedArrayFromHeap(segmentIds);
    let valid = true;
    for (let i = 0; i < numIds; i++) {
      const v = ids[i];
      if (!(v >= 0 && v < numSegments) || v !== Math.floor(v)) {
        valid = false;
        break;
      }
    }
    if (valid && numIds > 0 && inner > 0 && segmentIds.dtype === 'int32') {
      return run(ctx, b, 'ScatterNd', { indices: view(segmentIds, [numIds, 1]), updates: view(x, [numIds, ...rest]) }, { shape: outShape });
    }
    // Out-of-range ids are dropped (as TensorFlow does); rare, so a plain loop.
    const out = b.makeOutput(outShape, x.dtype);
    const dst = b.typedArrayFromHeap(out);
    const src = b.typedArrayFromHeap(x);
    ids = b.typedArrayFromHeap(segmentIds);
    dst.fill(0);
    for (let i = 0; i < numIds; i++) {
      const s = Math.floor(ids[i]);
      if (!(s >= 0 && s < numSegments)) continue;
      for (let j = 0; j < inner; j++) dst[s * inner + j] += src[i * inner + j];
    }
    return out;
  };

  const origMatMul = originalBatchMatMul.kernelFunc;
  const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = B(backend);
    const { a, b: bb } = inputs as { a: TensorInfo; b: TensorInfo };
    const at = (attrs ?? {}) as NamedAttrMap;
    const transposeA = Boolean(at.transposeA);
    const transposeB = Boolean(at.transposeB);
    const tmp: TensorInfo[] = [];
    const swapLast = (t: TensorInfo) => {
      const r = t.shape.length;
      const perm = [...Array(r).keys()];
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      const out = transpose(ctx, b, t, perm);
      tmp.push(out);
      return out;
    };
    let A = transposeA && a.dtype === 'float32' ? swapLast(a) : a;
    const Bm = transposeB && bb.dtype === 'float32' ? swapLast(bb) : bb;
    const tA = transposeA && A === a;
    const tB = transposeB && Bm === bb;
    // [batch..., M, K] x [K, N] (or batch 1): fold the batch of A into M so the single-matrix fast path is used.
    let foldedShape: number[] | null = null;
    const batchA = sizeOf(A.shape.slice(0, -2));
    const batchB = sizeOf(Bm.shape.slice(0, -2));
    if (!tA && !tB && batchA > 1 && batchB === 1 && A.shape.length >= 3) {
      const M = A.shape[A.shape.length - 2];
      const K = A.shape[A.shape.length - 1];
      const N = Bm.shape[Bm.shape.length - 1];
      const outRank = Math.max(A.shape.length, Bm.shape.length);
      const batchShape = A.shape.slice(0, -2);
      while (batchShape.length < outRank - 2) batchShape.unshift(1);
      foldedShape = [...batchShape, M, N];
      A = view(A, [batchA * M, K]);
    }
    let out: TensorInfo | null = null;
    const sk = simdKernels(b);
    const M = A.shape[A.shape.length - 2], K = A.shape[A.shape.length - 1], N = Bm.shape[Bm.shape.length - 1];
    // Our wasm SIMD GEMM packs nothing (XNNPACK packs B on every call with a new B, i.e. every training step).
    // Measured on 7 shapes from 64x784·784x128 to 512x2048·2048x1024: 1.1-4x faster than XNNPACK with a new B,
    // and within 0.9-1.3x of XNNPACK with B already packed.
    if (sk && !tA && !tB && A.dtype === 'float32' && Bm.dtype === 'float32' && sizeOf(A.shape.slice(0, -2)) === 1 && batchB === 1 && N % 4 === 0 && Bm.shape[Bm.shape.length - 2] === K) {
      out = b.makeOutput([...tf.backend_util.assertAndGetBroadcastShape(A.shape.slice(0, -2), Bm.shape.slice(0, -2)), M, N], 'float32');
      simdGemm(sk, heapPtr(b, A.dataId), heapPtr(b, Bm.dataId), heapPtr(b, out.dataId), M, K, N);
    }
    out ??= origMatMul({ inputs: { a: A, b: Bm }, backend: backend as never, attrs: { ...at, transposeA: tA, transposeB: tB } }) as TensorInfo;
    for (const t of tmp) b.disposeData(t.dataId);
    if (foldedShape) (out as { shape: number[] }).shape = foldedShape;
    return out;
  };
  const maxPoolGradK: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return stock.MaxPoolGrad.kernelFunc({ inputs, backend, attrs });
    // (The stock MaxPoolWithArgmax + ScatterNd would be faster but its arg-max indices disagree with the cpu
    // backend on odd sizes, padding and overlapping windows, so this is a JS loop over the heap.)
    const a = (attrs ?? {}) as NamedAttrMap;
    const b = B(backend);
    return maxPoolGrad(tf, b, dy, input, a);
  };

  const sumK: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const a = (attrs ?? {}) as NamedAttrMap;
    return sumLeading(B(backend), x, a.axis, Boolean(a.keepDims)) ?? stock.Sum.kernelFunc({ inputs, backend, attrs });
  };

  // The stock Identity copies the buffer; share it instead (reference-counted, as the cpu backend does).
  const identityK: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    if (x.dtype === 'string') return stock.Identity.kernelFunc({ inputs, backend, attrs });
    B(backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

  (batchMatMul as MarkedFunc).__original = origMatMul;
  (conv2DBackpropInput as MarkedFunc).__original = originalBackpropInput.kernelFunc;
  (maxPoolGradK as MarkedFunc).__original = stock.MaxPoolGrad.kernelFunc;
  (sumK as MarkedFunc).__original = stock.Sum.kernelFunc;
  (identityK as MarkedFunc).__original = stock.Identity.kernelFunc;

  const cfgs: KernelConfig[] = [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput, setupFunc: originalBackpropInput.setupFunc },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
    { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum },
    // Keep the original setupFunc: it binds the C++ function the original kernelFunc calls.
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul, setupFunc: originalBatchMatMul.setupFunc },
    { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradK, setupFunc: stock.MaxPoolGrad.setupFunc },
    { kernelName: 'Sum', backendName: 'wasm', kernelFunc: sumK, setupFunc: stock.Sum.setupFunc },
    { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityK, setupFunc: stock.Identity.setupFunc },
    ...lstmKernelConfigs(tf),
    adamKernelConfig(),
  ];
  for (const c of cfgs) (c.kernelFunc as MarkedFunc)[MARK] = true;
  return cfgs;
}

/**
 * Registers (or replaces) the wasm backend's training kernels and returns the names registered by this call
 * (empty when they were already registered: the call is idempotent). Call it after
 * `await tf.setBackend('wasm'); await tf.ready()` (it works as soon as @tensorflow/tfjs-backend-wasm has been
 * imported, since kernels live in a global registry). Only NHWC convolutions are supported (others throw).
 * Async because the SIMD kernel modules are loaded first (loadSimdKernels).
 */
export async function registerWasmTrainingKernels(tf: Tf): Promise<string[]> {
  await loadSimdKernels();
  // On a threaded backend, start the kernel pool now: its workers need this thread's event loop to start.
  if (tf.getBackend() === 'wasm') await simdKernels(tf.backend())?.pool?.whenReady();
  const names = ['BatchMatMul', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Identity'] as const;
  const found = names.map((n) => tf.getKernel(n, 'wasm'));
  if (found.some((k) => !k) || !tf.getKernel('Conv2D', 'wasm')) {
    throw new Error("registerWasmTrainingKernels: the 'wasm' backend's kernels are not registered; import @tensorflow/tfjs-backend-wasm (and setBackend('wasm')) first");
  }
  // When already replaced (a second call), compose from the stock kernels kept on our functions.
  const stock = (cfg: KernelConfig): KernelConfig => {
    const f = cfg.kernelFunc as MarkedFunc;
    return f[MARK] ? { ...cfg, kernelFunc: f.__original as KernelFunc } : cfg;
  };
  const registered: string[] = [];
  const stockCfgs = Object.fromEntries(names.map((n, i) => [n, stock(found[i] as KernelConfig)])) as unknown as Stock;
  for (const cfg of makeKernels(tf, stockCfgs)) {
    const existing = tf.getKernel(cfg.kernelName, 'wasm');
    if (existing && (existing.kernelFunc as MarkedFunc)[MARK]) continue;
    if (existing) tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(cfg);
    registered.push(cfg.kernelName);
  }
  return registered;
}

/** Whether registerWasmTrainingKernels has taken effect (e.g. for backend selection to allow conv training). */
export function wasmTrainingKernelsRegistered(tf: Tf): boolean {
  return WASM_TRAINING_KERNELS.every((n) => {
    const k = tf.getKernel(n, 'wasm');
    return Boolean(k && (k.kernelFunc as MarkedFunc)[MARK]);
  });
}
