import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { compileWat } from './compileWat';
import { createKernelPool, MAX_SHARES, type KernelPool } from './kernelPool';
import { wasmThreadCount } from './wasmThreads';

/**
 * SIMD kernels (WebAssembly, f32x4) that run in place on the tfjs wasm backend's heap: each module imports
 * the backend's own WebAssembly.Memory, so the functions take tensors' heap byte offsets
 * (`dataIdMap.get(dataId).memoryOffset`, see heapPtr) as pointers. Their sources are the WebAssembly text
 * files beside this one, which say what each computes:
 *
 *  - gemm.wat         C = A·B without packing (simdGemm below; on a threaded backend split by rows or columns;
 *                     with fused multiply-adds where the runtime has relaxed SIMD, NEUROWIRE_NO_FMA=1 turns that off);
 *  - lstm.wat         one LSTM time step's gate maths, forward and backward (lstm.ts);
 *  - adam.wat         one Adam update of a variable, bit for bit tf.train.adam's (adam.ts);
 *  - maxPoolGrad.wat  2x2 max-pool gradient, non-overlapping windows (trainingKernels.ts);
 *  - colSum.wat       column sums into float64 (bias gradients, trainingKernels.ts);
 *  - im2col.wat       the im2col matrix (or its transpose) of a convolution's input (filter gradients, trainingKernels.ts).
 *
 * On a threaded backend the kernel pool (kernelPool.ts) has all of them; parallelFor splits a call where it pays.
 *
 * The build (scripts/build-node.mjs) compiles them with wabt into `<name>.wasm` and `<name>.shared.wasm`
 * (for a backend whose memory is shared) beside the compiled JS; run from the TypeScript sources, they are
 * compiled here on first use. loadSimdKernels() does either and must have finished before simdKernels()
 * returns kernels (registerWasmTrainingKernels awaits it).
 */

export const KERNEL_MODULES = ['gemm', 'lstm', 'adam', 'maxPoolGrad', 'colSum', 'im2col'] as const;
type KernelModule = (typeof KERNEL_MODULES)[number];

/**
 * C[M,N] (+)= A[M,K]·B[K,N] on the first N columns, row strides in bytes; see gemm.wat for which M and N
 * each tile size accepts. accumulate: 1 adds to C, 0 overwrites it.
 */
type GemmTile = (A: number, B: number, C: number, M: number, K: number, N: number, lda: number, ldb: number, ldc: number, accumulate: number) => void;

export interface SimdKernels {
  /** The whole product C[M,N] = A[M,K]·B[K,N], N % 4 == 0; row strides in bytes. */
  gemm(A: number, B: number, C: number, M: number, K: number, N: number, lda: number, ldb: number, ldc: number): void;
  /** Whether gemm is the fused multiply-add variant (relaxed SIMD: each multiply-add rounds once). */
  fma: boolean;
  /** Worker threads running these kernels on the same (shared) memory, when the backend has more than one thread. */
  pool: KernelPool | null;
  gemm4x8: GemmTile;
  gemm4x4: GemmTile;
  gemm1x8: GemmTile;
  gemm1x4: GemmTile;
  /** One forward step for B rows of H >= 4 units; hard: 1 for hardSigmoid, 0 for sigmoid. */
  lstmFwd(z: number, r: number, bias: number, cPrev: number, c: number, h: number, hCopy: number, B: number, H: number, hard: number): void;
  /** One backward step (dcIn and dcOut distinct); dyStride in bytes. */
  lstmBwd(z: number, c: number, cPrev: number, dh: number, dy: number, dyStride: number, dcIn: number, dcOut: number, dz: number, dzCopy: number, B: number, H: number, hard: number): void;
  adam(
    w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number, accBeta1: number, accBeta2: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, epsilon: number, negLr: number,
  ): void;
  /** Strides in bytes: C4 = C·4, rowStride = W·C4, imageStride = H·rowStride, hStep = strideH·rowStride, wStep = strideW·C4. */
  maxPoolGrad2x2(x: number, dy: number, dx: number, N: number, OH: number, OW: number, C4: number, rowStride: number, imageStride: number, hStep: number, wStep: number): void;
  /** acc[j] (float64, zeroed by the caller) += Σ_r x[r, j], rows ld bytes apart; inner % 4 == 0. */
  colSumF64(x: number, acc: number, rows: number, inner: number, ld: number): void;
  /** Rows r0..r1-1 of the im2col matrix P [N·OH·OW, fh·fw·C] of x [N,H,W,C] (see im2col.wat). */
  im2colRows(x: number, p: number, r0: number, r1: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number): void;
  /** Columns r0..r1-1 of Pᵀ [fh·fw·C, NP]. */
  im2colCols(x: number, p: number, r0: number, r1: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, NP: number): void;
}

/** The kernels a call can be split over the pool for: each writes only the part of its output its arguments say. */
export type SplittableKernel = 'gemm' | 'adam' | 'maxPoolGrad2x2' | 'colSumF64' | 'im2colRows' | 'im2colCols' | 'lstmFwd' | 'lstmBwd';
const SPLITTABLE: readonly SplittableKernel[] = ['gemm', 'adam', 'maxPoolGrad2x2', 'colSumF64', 'im2colRows', 'im2colCols', 'lstmFwd', 'lstmBwd'];

/**
 * Shares per thread a split aims at: when a worker gets no core for a while (a busy machine), the calling
 * thread runs the shares it has not claimed, so smaller shares leave less to wait for.
 */
const SHARES_PER_THREAD = 4;

/**
 * Kernel `name` over items [0, total): one call `args(0, total)`, or, with a started kernel pool where splitting
 * pays (KernelPool.worthSplitting) and at least two shares' worth of items, shares args(start, count) of at least `minItems` items each, a multiple of
 * `align` (the last takes the rest), run by whichever threads claim them. The kernel must compute each item
 * the same way whatever range it is given (then the results equal one thread's, bit for bit).
 */
export function parallelFor(sk: SimdKernels, name: SplittableKernel, total: number, align: number, minItems: number, args: (start: number, count: number) => number[]): void {
  const pool = sk.pool;
  if (pool && total >= 2 * minItems && pool.worthSplitting()) {
    const parts = Math.min(pool.threads * SHARES_PER_THREAD, MAX_SHARES, Math.floor(total / Math.max(1, minItems)));
    const size = Math.ceil(total / parts / align) * align;
    if (size < total) {
      const shares: number[][] = [];
      for (let s = 0; s < total; s += size) shares.push(args(s, Math.min(size, total - s)));
      pool.run(name, shares);
      return;
    }
  }
  (sk[name] as (...a: number[]) => void)(...args(0, total));
}

/** Multiply-adds in a share of a split product at least (handing over a share costs a few microseconds). */
const SHARE_MIN_MACS = 1 << 19;

/**
 * C[M,N] = A[M,K]·B[K,N] (float32, row-major, all on the heap at byte offsets a, b, c) with the SIMD kernels;
 * returns false (nothing done) when N is not a multiple of 4. With a kernel pool, large products are split
 * between the threads by rows of C (by columns when there are few rows); every element is computed exactly
 * as on one thread.
 */
export function simdGemm(sk: SimdKernels, a: number, b: number, cOut: number, M: number, K: number, N: number): boolean {
  if (N % 4 !== 0) return false;
  if (M <= 0) return true;
  const lda = K * 4, ld = N * 4;
  const T = sk.pool?.threads ?? 1;
  if (M >= 8 * T || N < 8 * T) {
    // rows in 4s (the 4-row tiles), so every row is computed as on one thread
    parallelFor(sk, 'gemm', M, 4, Math.ceil(SHARE_MIN_MACS / (K * N)), (r, rows) => [a + r * lda, b, cOut + r * ld, rows, K, N, lda, ld, ld]);
  } else {
    parallelFor(sk, 'gemm', N, 8, Math.ceil(SHARE_MIN_MACS / (M * K)), (j, cols) => [a, b + j * 4, cOut + j * 4, M, K, cols, lda, ld, ld]);
  }
  return true;
}

type Binaries = Record<KernelModule, Uint8Array<ArrayBuffer>> & {
  /** gemm with fused multiply-adds (compileWat's fma variant), when this runtime validates it (relaxed SIMD). */
  gemmFma: Uint8Array<ArrayBuffer> | null;
};

/** Binaries by memory kind (shared or not), once loaded. */
let binaries: Map<boolean, Binaries> | null = null;
let loading: Promise<void> | null = null;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

async function moduleBinary(name: KernelModule, shared: boolean, fma = false): Promise<Uint8Array<ArrayBuffer>> {
  const built = path.join(__dirname, `${name}${fma ? '.fma' : ''}${shared ? '.shared' : ''}.wasm`);
  if (fs.existsSync(built)) return new Uint8Array(fs.readFileSync(built));
  const source = path.join(__dirname, `${name}.wat`);
  if (!fs.existsSync(source)) throw new Error(`wasm kernels: neither ${built} nor ${source} exists (was dist/ built by scripts/build-node.mjs?)`);
  return compileWat(fs.readFileSync(source, 'utf8'), source, shared, fma);
}

/**
 * The fused multiply-add gemm where this runtime runs relaxed SIMD (feature-detected by validating it), else null.
 * Node 20's V8 (11.3) has relaxed SIMD complete but behind --experimental-wasm-relaxed-simd (on by default from
 * V8 11.4: Node 22, Electron 45); the flag only widens what WebAssembly.validate/compile accept, so it is turned on
 * here when the module does not validate without it. NEUROWIRE_NO_FMA=1 keeps the plain kernel.
 */
async function fmaGemmBinary(shared: boolean): Promise<Uint8Array<ArrayBuffer> | null> {
  if (process.env.NEUROWIRE_NO_FMA === '1') return null;
  try {
    const bin = await moduleBinary('gemm', shared, true);
    if (WebAssembly.validate(bin)) return bin;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    return WebAssembly.validate(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Reads (or, from the TypeScript sources, compiles) the kernel modules; idempotent. */
export function loadSimdKernels(): Promise<void> {
  loading ??= (async () => {
    const loaded = new Map<boolean, Binaries>();
    for (const shared of [false, true]) {
      const entries = await Promise.all(KERNEL_MODULES.map(async (name) => [name, await moduleBinary(name, shared)] as const));
      loaded.set(shared, { ...(Object.fromEntries(entries) as Record<KernelModule, Uint8Array<ArrayBuffer>>), gemmFma: await fmaGemmBinary(shared) });
    }
    binaries = loaded;
  })();
  // A failed load may be retried (e.g. after building dist/).
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** The backend's WebAssembly.Memory, or null when it cannot be found. */
export function backendMemory(backend: unknown): WebAssembly.Memory | null {
  const w = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const m = w?.asm?.memory ?? w?.wasmMemory;
  return m instanceof WebAssembly.Memory ? m : null;
}

let disabled = typeof process !== 'undefined' && process.env?.NEUROWIRE_NO_SIMD_KERNELS === '1';

/** For tests / benchmarks: turn the SIMD kernels off (JS fallbacks) or on again. */
export function setSimdKernelsEnabled(on: boolean): void {
  disabled = !on;
}

/**
 * The SIMD kernels bound to this backend's memory, or null (no SIMD support in this engine, memory not
 * found, disabled, or loadSimdKernels() not done): callers then use their JS fallbacks.
 */
export function simdKernels(backend: unknown): SimdKernels | null {
  if (disabled || !binaries) return null;
  const mem = backendMemory(backend);
  if (!mem) return null;
  let k = instances.get(mem);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
      const mods = binaries.get(shared) as Binaries;
      k = {} as SimdKernels;
      const gemm = mods.gemmFma ?? mods.gemm;
      for (const name of KERNEL_MODULES) Object.assign(k, new WebAssembly.Instance(new WebAssembly.Module(name === 'gemm' ? gemm : mods[name]), { env: { memory: mem } }).exports);
      k.fma = mods.gemmFma !== null;
      const threads = shared ? wasmThreadCount() : 1;
      const poolModules = KERNEL_MODULES.map((name) => (name === 'gemm' ? gemm : mods[name]));
      k.pool = threads > 1 ? createKernelPool(mem, poolModules, SPLITTABLE, threads) : null;
    } catch {
      k = null;
    }
    instances.set(mem, k);
  }
  return k;
}

/** A tensor's byte offset on the wasm heap. */
export function heapPtr(backend: unknown, dataId: object): number {
  const d = (backend as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } }).dataIdMap.get(dataId);
  if (!d) throw new Error('wasm kernels: tensor not on the wasm backend');
  return d.memoryOffset;
}
