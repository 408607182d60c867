import type * as tfjs from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

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
 */

type Tf = typeof tfjs;

/** The parts of BackendWasm used here (the class is not exported in a way we can type against cheaply). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { id: number } | undefined };
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

function makeKernels(tf: Tf, originalBatchMatMul: KernelConfig, originalBackpropInput: KernelConfig): KernelConfig[] {
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
    const out = origMatMul({ inputs: { a: A, b: Bm }, backend: backend as never, attrs: { ...at, transposeA: tA, transposeB: tB } }) as TensorInfo;
    for (const t of tmp) b.disposeData(t.dataId);
    if (foldedShape) (out as { shape: number[] }).shape = foldedShape;
    return out;
  };
  (batchMatMul as MarkedFunc).__original = origMatMul;
  (conv2DBackpropInput as MarkedFunc).__original = originalBackpropInput.kernelFunc;

  const cfgs: KernelConfig[] = [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput, setupFunc: originalBackpropInput.setupFunc },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
    { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum },
    // Keep the original setupFunc: it binds the C++ function the original kernelFunc calls.
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul, setupFunc: originalBatchMatMul.setupFunc },
  ];
  for (const c of cfgs) (c.kernelFunc as MarkedFunc)[MARK] = true;
  return cfgs;
}

/**
 * Registers (or replaces) the wasm backend's training kernels and returns the names registered by this call
 * (empty when they were already registered: the call is idempotent). Call it after
 * `await tf.setBackend('wasm'); await tf.ready()` (it works as soon as @tensorflow/tfjs-backend-wasm has been
 * imported, since kernels live in a global registry). Only NHWC convolutions are supported (others throw).
 */
export function registerWasmTrainingKernels(tf: Tf): string[] {
  const mm = tf.getKernel('BatchMatMul', 'wasm');
  const bi = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (!mm || !bi || !tf.getKernel('Conv2D', 'wasm')) {
    throw new Error("registerWasmTrainingKernels: the 'wasm' backend's kernels are not registered; import @tensorflow/tfjs-backend-wasm (and setBackend('wasm')) first");
  }
  // When already replaced (a second call), compose from the stock kernels kept on our functions.
  const stock = (cfg: KernelConfig): KernelConfig => {
    const f = cfg.kernelFunc as MarkedFunc;
    return f[MARK] ? { ...cfg, kernelFunc: f.__original as KernelFunc } : cfg;
  };
  const registered: string[] = [];
  for (const cfg of makeKernels(tf, stock(mm), stock(bi))) {
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
