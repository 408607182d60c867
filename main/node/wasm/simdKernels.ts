import { assemble, brIf1, c, F32, get, I32, iadd, iand, i32c, igeu, imul, inRangeL, Locals, loop, SCALAR, set, V128, VEC, type Code, type FuncDef, type Ops } from './asm';

/**
 * Element-wise kernels in WebAssembly SIMD (f32x4, scalar tail) that run in place on the tfjs wasm backend's
 * heap: a small module is assembled (asm.ts) and instantiated with the backend's own WebAssembly.Memory, so
 * the functions take tensors' heap byte offsets (`dataIdMap.get(dataId).memoryOffset`) as pointers.
 *
 *  - lstmFwd{Sig,Hard}: one LSTM time step's gate arithmetic for all B rows (z += h·U + b in place, gates,
 *    c, h); lstmBwd{Sig,Hard}: the step's gate gradients (dz, dc, with dy added to dh);
 *  - adam: one Adam update of a variable (m, v, w in one pass), the same float32 operations in the same order
 *    as tf.train.adam's 13 kernels.
 *
 * tanh is Eigen's float rational approximation (|error| < 3e-7 absolute), sigmoid(x) = 0.5 + 0.5·tanh(x/2),
 * the same formulas as the JS fallback in lstm.ts.
 */

export interface SimdKernels {
  /** (z, r, bias, cPrev, c, h, hCopy, B, H) */
  lstmFwdSig(...a: number[]): void;
  lstmFwdHard(...a: number[]): void;
  /** (z, c, cPrev, dh, dy, dyRowStrideBytes, dc, dz, dzCopy, B, H) */
  lstmBwdSig(...a: number[]): void;
  lstmBwdHard(...a: number[]): void;
  /** (w, g, m, v, wOut, mOut, vOut, n, accBeta1Ptr, accBeta2Ptr, beta1, 1-beta1, beta2, 1-beta2, epsilon, -lr) */
  adam(...a: number[]): void;
  /** (x, dy, dx, N, OH, OW, C*4, W*C*4, H*W*C*4, sh*W*C*4, sw*C*4): 2x2 max-pool gradient, non-overlapping windows, C % 4 == 0 */
  maxPoolGrad2x2(...a: number[]): void;
  /** (x, acc, rows, inner): acc[j] (float64, zeroed by the caller) += Σ_r x[r, j]; inner % 4 == 0 */
  colSumF64(...a: number[]): void;
  /** (A, B, C, M, K, Nc, lda, ldb, ldc, accumulate): see gemm() / simdGemm */
  gemm4x8(...a: number[]): void;
  gemm1x8(...a: number[]): void;
  gemm4x4(...a: number[]): void;
  gemm1x4(...a: number[]): void;
}

const TANH_LIM = 7.90531110763549805;
const TANH_P = [-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3];
const TANH_Q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3];

/** tanh(x) using temps t1, t2 (of the value type); leaves the value on the stack. */
function tanh(o: Ops, x: Code, t1: number, t2: number): Code {
  let p = o.k(TANH_P[0]);
  for (let i = 1; i < TANH_P.length; i++) p = o.add(o.mul(p, get(t2)), o.k(TANH_P[i]));
  let q = o.k(TANH_Q[0]);
  for (let i = 1; i < TANH_Q.length; i++) q = o.add(o.mul(q, get(t2)), o.k(TANH_Q[i]));
  return c(set(t1, o.min(o.max(x, o.k(-TANH_LIM)), o.k(TANH_LIM))), set(t2, o.mul(get(t1), get(t1))), o.div(o.mul(p, get(t1)), q));
}

const sigmoid = (o: Ops, x: Code, t1: number, t2: number): Code => o.add(o.k(0.5), o.mul(o.k(0.5), tanh(o, o.mul(o.k(0.5), x), t1, t2)));
/** tfjs-layers' hardSigmoid: clip(0.2·x + 0.5, 0, 1) (0.2 as a float32). */
const hardPre = (o: Ops, x: Code): Code => o.add(o.mul(o.k(0.2), x), o.k(0.5));
const clip01 = (o: Ops, y: Code): Code => o.min(o.max(y, o.k(0)), o.k(1));

/** Value-type locals, one set per mode (vector / scalar tail). */
function valueLocals(L: Locals, names: string[]): { vec: Record<string, number>; sca: Record<string, number> } {
  const vec: Record<string, number> = {};
  const sca: Record<string, number> = {};
  for (const n of names) vec[n] = L.add(V128);
  for (const n of names) sca[n] = L.add(F32);
  return { vec, sca };
}

/**
 * for (j = 0; j < (end & ~15); j += 16) body(VEC); for (; j < end; j += 4) body(SCALAR) — `j` is a byte offset.
 */
function vecThenTail(j: number, end: number, endVec: number, body: (o: Ops) => Code): Code {
  const one = (o: Ops, lim: number) => loop(c(brIf1(igeu(get(j), get(lim))), body(o), set(j, iadd(get(j), i32c(o.step)))));
  return c(set(endVec, iand(get(end), i32c(-16))), one(VEC, endVec), one(SCALAR, end));
}

const at = (p: number, j: number, off?: number): Code => (off == null ? iadd(get(p), get(j)) : iadd(iadd(get(p), get(j)), get(off)));

function lstmFwd(name: string, hard: boolean): FuncDef {
  // params
  const [z, r, bias, cp, cOut, hOut, hb, B, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const bi = L.add(I32), j = L.add(I32), H4 = L.add(I32), H4v = L.add(I32), o1 = L.add(I32), o2 = L.add(I32), o3 = L.add(I32);
  const vl = valueLocals(L, ['zi', 'zf', 'zc', 'zo', 'ig', 'fg', 'og', 'cn', 't1', 't2', 't3']);
  const body = (o: Ops): Code => {
    const v = o.vec ? vl.vec : vl.sca;
    const pre = (name: string, off?: number) => c(set(v[name], o.add(o.add(o.ld(at(z, j, off)), o.ld(at(r, j, off))), o.ld(at(bias, j, off)))), o.st(at(z, j, off), get(v[name])));
    const gate = (x: number) => (hard ? clip01(o, hardPre(o, get(x))) : sigmoid(o, get(x), v.t1, v.t2));
    return c(
      pre('zi'),
      pre('zf', o1),
      pre('zc', o2),
      pre('zo', o3),
      set(v.ig, gate(v.zi)),
      set(v.fg, gate(v.zf)),
      set(v.og, gate(v.zo)),
      set(v.cn, o.add(o.mul(get(v.fg), o.ld(at(cp, j))), o.mul(get(v.ig), tanh(o, get(v.zc), v.t1, v.t2)))),
      o.st(at(cOut, j), get(v.cn)),
      set(v.t3, o.mul(get(v.og), tanh(o, get(v.cn), v.t1, v.t2))),
      o.st(at(hOut, j), get(v.t3)),
      o.st(at(hb, j), get(v.t3)),
    );
  };
  const G4 = imul(get(H4), i32c(4));
  const code = c(
    set(H4, imul(get(H), i32c(4))),
    set(o1, get(H4)),
    set(o2, iadd(get(H4), get(H4))),
    set(o3, iadd(get(o2), get(H4))),
    set(bi, i32c(0)),
    loop(
      c(
        brIf1(igeu(get(bi), get(B))),
        set(j, i32c(0)),
        vecThenTail(j, H4, H4v, body),
        set(z, iadd(get(z), G4)),
        set(r, iadd(get(r), G4)),
        set(cp, iadd(get(cp), get(H4))),
        set(cOut, iadd(get(cOut), get(H4))),
        set(hOut, iadd(get(hOut), get(H4))),
        set(hb, iadd(get(hb), get(H4))),
        set(bi, iadd(get(bi), i32c(1))),
      ),
    ),
  );
  return { name, params: Array(9).fill(I32), locals: L.types, body: code };
}

function lstmBwd(name: string, hard: boolean): FuncDef {
  const [z, cc, cp, dh, dy, dyStride, dc, dz, dzb, B, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = new Locals(11);
  const bi = L.add(I32), j = L.add(I32), H4 = L.add(I32), H4v = L.add(I32), o1 = L.add(I32), o2 = L.add(I32), o3 = L.add(I32);
  const vl = valueLocals(L, ['ig', 'fg', 'og', 'dig', 'dfg', 'dog', 'ct', 'tc', 'dhv', 'dcv', 'y', 't1', 't2']);
  const body = (o: Ops): Code => {
    const v = o.vec ? vl.vec : vl.sca;
    const one = o.k(1);
    const gate = (g: number, d: number, off?: number): Code => {
      const zl = o.ld(at(z, j, off));
      if (hard) return c(set(v.y, hardPre(o, zl)), set(g, clip01(o, get(v.y))), set(d, inRangeL(o, v.y, 0, 1, 0.2)));
      return c(set(g, sigmoid(o, zl, v.t1, v.t2)), set(d, o.mul(get(g), o.sub(one, get(g)))));
    };
    const st2 = (off: number | undefined, val: Code): Code => c(set(v.y, val), o.st(at(dz, j, off), get(v.y)), o.st(at(dzb, j, off), get(v.y)));
    return c(
      gate(v.ig, v.dig),
      gate(v.fg, v.dfg, o1),
      gate(v.og, v.dog, o3),
      set(v.ct, tanh(o, o.ld(at(z, j, o2)), v.t1, v.t2)),
      set(v.tc, tanh(o, o.ld(at(cc, j)), v.t1, v.t2)),
      set(v.dhv, o.add(o.ld(at(dh, j)), o.ld(at(dy, j)))),
      set(v.dcv, o.add(o.ld(at(dc, j)), o.mul(o.mul(get(v.dhv), get(v.og)), o.sub(one, o.mul(get(v.tc), get(v.tc)))))),
      o.st(at(dc, j), o.mul(get(v.dcv), get(v.fg))),
      st2(undefined, o.mul(o.mul(get(v.dcv), get(v.ct)), get(v.dig))),
      st2(o1, o.mul(o.mul(get(v.dcv), o.ld(at(cp, j))), get(v.dfg))),
      st2(o2, o.mul(o.mul(get(v.dcv), get(v.ig)), o.sub(one, o.mul(get(v.ct), get(v.ct))))),
      st2(o3, o.mul(o.mul(get(v.dhv), get(v.tc)), get(v.dog))),
    );
  };
  const G4 = imul(get(H4), i32c(4));
  const code = c(
    set(H4, imul(get(H), i32c(4))),
    set(o1, get(H4)),
    set(o2, iadd(get(H4), get(H4))),
    set(o3, iadd(get(o2), get(H4))),
    set(bi, i32c(0)),
    loop(
      c(
        brIf1(igeu(get(bi), get(B))),
        set(j, i32c(0)),
        vecThenTail(j, H4, H4v, body),
        set(z, iadd(get(z), G4)),
        set(dz, iadd(get(dz), G4)),
        set(dzb, iadd(get(dzb), G4)),
        set(cc, iadd(get(cc), get(H4))),
        set(cp, iadd(get(cp), get(H4))),
        set(dh, iadd(get(dh), get(H4))),
        set(dc, iadd(get(dc), get(H4))),
        set(dy, iadd(get(dy), get(dyStride))),
        set(bi, iadd(get(bi), i32c(1))),
      ),
    ),
  );
  return { name, params: Array(11).fill(I32), locals: L.types, body: code };
}

function adam(): FuncDef {
  const [w, g, m, v, wo, mo, vo, n, acc1, acc2, b1, omb1, b2, omb2, eps, nlr] = [...Array(16).keys()];
  const L = new Locals(16);
  const i = L.add(I32), n4 = L.add(I32), n4v = L.add(I32), c1 = L.add(F32), c2 = L.add(F32);
  const scalars = { b1, omb1, b2, omb2, eps, nlr, c1, c2 };
  const vs: Record<string, number> = {};
  for (const k of Object.keys(scalars)) vs[k] = L.add(V128);
  const vl = valueLocals(L, ['g', 'm', 'v']);
  const body = (o: Ops): Code => {
    const t = o.vec ? vl.vec : vl.sca;
    const s = (k: keyof typeof scalars) => get(o.vec ? vs[k] : scalars[k]);
    return c(
      set(t.g, o.ld(at(g, i))),
      set(t.m, o.add(o.mul(o.ld(at(m, i)), s('b1')), o.mul(get(t.g), s('omb1')))),
      set(t.v, o.add(o.mul(o.ld(at(v, i)), s('b2')), o.mul(o.mul(get(t.g), get(t.g)), s('omb2')))),
      o.st(at(mo, i), get(t.m)),
      o.st(at(vo, i), get(t.v)),
      o.st(at(wo, i), o.add(o.mul(o.div(o.div(get(t.m), s('c1')), o.add(o.sqrt(o.div(get(t.v), s('c2'))), s('eps'))), s('nlr')), o.ld(at(w, i)))),
    );
  };
  const code = c(
    set(c1, c(SCALAR.k(1), get(acc1), 0x2a, 2, 0, 0x93)),
    set(c2, c(SCALAR.k(1), get(acc2), 0x2a, 2, 0, 0x93)),
    ...Object.entries(scalars).map(([k, p]) => set(vs[k], VEC.splat(get(p)))),
    set(n4, imul(get(n), i32c(4))),
    set(i, i32c(0)),
    vecThenTail(i, n4, n4v, body),
  );
  return { name: 'adam', params: [...Array(10).fill(I32), ...Array(6).fill(F32)], locals: L.types, body: code };
}


const simdOp = (op: number): Code => c(0xfd, op < 128 ? [op] : [(op & 0x7f) | 0x80, op >> 7]);

/**
 * MaxPoolGrad for 2x2 windows that do not overlap (strides >= 2) and lie inside the input: per window and
 * 4 channels, the first maximum in row-major order (a NaN wins, as in the JS loop) gets dy; dx must be zero
 * where no window reaches. Writes dx (no accumulation: windows are disjoint).
 */
function maxPoolGrad2x2(): FuncDef {
  const [x, dy, dx, N, OH, OW, C4, rowS, imgS, hStep, wStep] = [...Array(11).keys()];
  const L = new Locals(11);
  const n = L.add(I32), oh = L.add(I32), ow = L.add(I32), ci = L.add(I32), img = L.add(I32), row = L.add(I32), win = L.add(I32);
  const [v0, v1, v2, v3, best, c1, c2, c3, g] = Array.from({ length: 9 }, () => L.add(V128));
  const o = VEC;
  const ad = (base: number, ...offs: Code[]) => offs.reduce((acc, q) => iadd(acc, q), iadd(get(base), get(win)));
  const gt = (a: Code, b: Code) => c(a, b, simdOp(0x44));
  const ne = (a: Code, b: Code) => c(a, b, simdOp(0x42));
  const eq = (a: Code, b: Code) => c(a, b, simdOp(0x41));
  const or = (a: Code, b: Code) => c(a, b, simdOp(0x50));
  const and = (a: Code, b: Code) => c(a, b, simdOp(0x4e));
  const andnot = (a: Code, b: Code) => c(a, b, simdOp(0x4f)); // a & ~b
  const bitsel = (t: Code, f: Code, m: Code) => c(t, f, m, simdOp(0x52));
  const step = (cv: number, v: number) => c(set(cv, or(gt(get(v), get(best)), ne(get(best), get(best)))), set(best, bitsel(get(v), get(best), get(cv))));
  const cOff = get(ci);
  const inner = c(
    set(v0, o.ld(ad(x, cOff))),
    set(v1, o.ld(ad(x, get(C4), cOff))),
    set(v2, o.ld(ad(x, get(rowS), cOff))),
    set(v3, o.ld(ad(x, get(rowS), get(C4), cOff))),
    set(best, get(v0)),
    step(c1, v1),
    step(c2, v2),
    step(c3, v3),
    // dy where the maximum is a number above -Infinity
    set(g, and(o.ld(get(dy)), and(eq(get(best), get(best)), ne(get(best), o.k(-Infinity))))),
    o.st(ad(dx, cOff), andnot(get(g), or(or(get(c1), get(c2)), get(c3)))),
    o.st(ad(dx, get(C4), cOff), and(andnot(get(g), or(get(c2), get(c3))), get(c1))),
    o.st(ad(dx, get(rowS), cOff), and(andnot(get(g), get(c3)), get(c2))),
    o.st(ad(dx, get(rowS), get(C4), cOff), and(get(g), get(c3))),
    set(dy, iadd(get(dy), i32c(16))),
  );
  const body = c(
    set(n, i32c(0)),
    set(img, i32c(0)),
    loop(
      c(
        brIf1(igeu(get(n), get(N))),
        set(oh, i32c(0)),
        set(row, get(img)),
        loop(
          c(
            brIf1(igeu(get(oh), get(OH))),
            set(ow, i32c(0)),
            set(win, get(row)),
            loop(
              c(
                brIf1(igeu(get(ow), get(OW))),
                set(ci, i32c(0)),
                loop(c(brIf1(igeu(get(ci), get(C4))), inner, set(ci, iadd(get(ci), i32c(16))))),
                set(win, iadd(get(win), get(wStep))),
                set(ow, iadd(get(ow), i32c(1))),
              ),
            ),
            set(row, iadd(get(row), get(hStep))),
            set(oh, iadd(get(oh), i32c(1))),
          ),
        ),
        set(img, iadd(get(img), get(imgS))),
        set(n, iadd(get(n), i32c(1))),
      ),
    ),
  );
  return { name: 'maxPoolGrad2x2', params: Array(11).fill(I32), locals: L.types, body };
}

/**
 * C = A·B for row-major A [M,K], B [K,≥Nc], C [M,≥Nc] with row strides lda / ldb / ldc (bytes), computing the
 * first Nc columns (a multiple of NR; M a multiple of MR). No packing: tiles of MR rows x NR columns are held
 * in MR·NR/4 f32x4 accumulators, k innermost (A broadcast with v128.load32_splat, NR/4 loads of B per k).
 */
function gemm(name: string, MR: number, NR: 4 | 8): FuncDef {
  const [A, B, C, M, K, Nc, lda, ldb, ldc, accum] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Locals(10);
  const i = L.add(I32), j = L.add(I32), k = L.add(I32), pa = L.add(I32), pb = L.add(I32), Nc4 = L.add(I32), rowA = L.add(I32), rowC = L.add(I32), pc = L.add(I32);
  const offA = Array.from({ length: MR }, (_, r) => (r === 0 ? -1 : L.add(I32)));
  const V = NR / 4;
  const acc = Array.from({ length: MR * V }, () => L.add(V128));
  const bv = Array.from({ length: V }, () => L.add(V128));
  const av = L.add(V128);
  const o = VEC;
  const splatLd = (addr: Code) => c(addr, simdOp(0x09), 2, 0);
  const kBody: Code[] = bv.map((b, q) => set(b, o.ld(q === 0 ? get(pb) : iadd(get(pb), i32c(16 * q)))));
  for (let r = 0; r < MR; r++) {
    kBody.push(set(av, splatLd(r === 0 ? get(pa) : iadd(get(pa), get(offA[r])))));
    for (let q = 0; q < V; q++) kBody.push(set(acc[r * V + q], o.add(get(acc[r * V + q]), o.mul(get(av), get(bv[q])))));
  }
  const stores: Code[] = [];
  const loads: Code[] = [];
  for (let r = 0; r < MR; r++) {
    const row = r === 0 ? get(pc) : iadd(get(pc), imul(get(ldc), i32c(r)));
    for (let q = 0; q < V; q++) {
      stores.push(o.st(q === 0 ? row : iadd(row, i32c(16 * q)), get(acc[r * V + q])));
      loads.push(set(acc[r * V + q], o.ld(q === 0 ? row : iadd(row, i32c(16 * q)))));
    }
  }
  const body = c(
    set(Nc4, imul(get(Nc), i32c(4))),
    ...offA.slice(1).map((l, r) => set(l, imul(get(lda), i32c(r + 1)))),
    set(i, i32c(0)),
    set(rowA, get(A)),
    set(rowC, get(C)),
    loop(
      c(
        brIf1(igeu(get(i), get(M))),
        set(j, i32c(0)),
        loop(
          c(
            brIf1(igeu(get(j), get(Nc4))),
            set(pc, iadd(get(rowC), get(j))),
            // accumulate into C (accum != 0) or start from zero
            c(get(accum), 0x04, 0x40, ...loads, 0x05, ...acc.map((a) => set(a, o.k(0))), 0x0b),
            set(pa, get(rowA)),
            set(pb, iadd(get(B), get(j))),
            set(k, i32c(0)),
            loop(c(brIf1(igeu(get(k), get(K))), ...kBody, set(pa, iadd(get(pa), i32c(4))), set(pb, iadd(get(pb), get(ldb))), set(k, iadd(get(k), i32c(1))))),
            ...stores,
            set(j, iadd(get(j), i32c(NR * 4))),
          ),
        ),
        set(rowA, iadd(get(rowA), imul(get(lda), i32c(MR)))),
        set(rowC, iadd(get(rowC), imul(get(ldc), i32c(MR)))),
        set(i, iadd(get(i), i32c(MR))),
      ),
    ),
  );
  return { name, params: Array(10).fill(I32), locals: L.types, body };
}

/**
 * C[M,N] = A[M,K]·B[K,N] (float32, row-major, all on the heap at byte offsets a, b, c) with the SIMD kernels;
 * returns false (nothing done) when N is not a multiple of 4.
 */
export function simdGemm(sk: SimdKernels, a: number, b: number, cOut: number, M: number, K: number, N: number): boolean {
  if (N % 4 !== 0 || M <= 0) return N % 4 === 0;
  // K blocks of B of at most ~256 KiB stay in cache while every 4-row tile of A passes over them.
  const KB = Math.max(16, Math.floor((256 * 1024) / (N * 4)));
  const M4 = M - (M % 4), N8 = N - (N % 8);
  const lda = K * 4, ld = N * 4;
  for (let k0 = 0; k0 < K || k0 === 0; k0 += KB) {
    const kn = Math.min(KB, K - k0), acc = k0 > 0 ? 1 : 0;
    const ak = a + k0 * 4, bk = b + k0 * ld;
    if (M4 > 0 && N8 > 0) sk.gemm4x8(ak, bk, cOut, M4, kn, N8, lda, ld, ld, acc);
    if (M4 > 0 && N8 < N) sk.gemm4x4(ak, bk + N8 * 4, cOut + N8 * 4, M4, kn, 4, lda, ld, ld, acc);
    if (M4 < M) {
      const a1 = ak + M4 * lda, c1 = cOut + M4 * ld;
      if (N8 > 0) sk.gemm1x8(a1, bk, c1, M - M4, kn, N8, lda, ld, ld, acc);
      if (N8 < N) sk.gemm1x4(a1, bk + N8 * 4, c1 + N8 * 4, M - M4, kn, 4, lda, ld, ld, acc);
    }
    if (K === 0) break;
  }
  return true;
}

/**
 * Column sums of a float32 [rows, inner] matrix into float64 accumulators (f64x2), four rows per pass:
 * acc += (x0 + x1) + (x2 + x3), the association of the JS loop it replaces.
 */
function colSumF64(): FuncDef {
  const [x, acc, rows, inner] = [0, 1, 2, 3];
  const L = new Locals(4);
  const r = L.add(I32), j = L.add(I32), rowB = L.add(I32), p = L.add(I32), q = L.add(I32), nr = L.add(I32);
  const lo = L.add(V128), hi = L.add(V128);
  const ld64 = (addr: Code) => c(addr, simdOp(0x5d), 3, 0); // v128.load64_zero
  const prom = (v: Code) => c(v, simdOp(0x5f)); // f64x2.promote_low_f32x4
  const fadd = (a: Code, b: Code) => c(a, b, simdOp(0xf0)); // f64x2.add
  const pair = (off: number, rowsIn: number) => {
    // sum of `rowsIn` rows (1 or 4) of two floats at byte offset off, as f64x2
    const row = (k: number) => prom(ld64(iadd(get(p), k === 0 ? i32c(off) : iadd(i32c(off), imul(get(rowB), i32c(k))))));
    return rowsIn === 1 ? row(0) : fadd(fadd(row(0), row(1)), fadd(row(2), row(3)));
  };
  const pass = (rowsIn: number) =>
    c(
      set(j, i32c(0)),
      loop(
        c(
          brIf1(igeu(get(j), get(rowB))),
          set(p, iadd(get(x), get(j))),
          set(q, iadd(get(acc), iadd(get(j), get(j)))),
          set(lo, pair(0, rowsIn)),
          set(hi, pair(8, rowsIn)),
          VEC.st(get(q), fadd(VEC.ld(get(q)), get(lo))),
          VEC.st(iadd(get(q), i32c(16)), fadd(VEC.ld(iadd(get(q), i32c(16))), get(hi))),
          set(j, iadd(get(j), i32c(16))),
        ),
      ),
      set(x, iadd(get(x), imul(get(rowB), i32c(rowsIn)))),
      set(r, iadd(get(r), i32c(rowsIn))),
    );
  const body = c(
    set(rowB, imul(get(inner), i32c(4))),
    set(r, i32c(0)),
    set(nr, iand(get(rows), i32c(-4))),
    loop(c(brIf1(igeu(get(r), get(nr))), pass(4))),
    loop(c(brIf1(igeu(get(r), get(rows))), pass(1))),
  );
  return { name: 'colSumF64', params: Array(4).fill(I32), locals: L.types, body };
}

let bytesCache: Map<boolean, Uint8Array<ArrayBuffer>> | null = null;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** The module's bytes (for a memory that is shared or not). */
export function simdModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  bytesCache ??= new Map();
  let b = bytesCache.get(shared);
  if (!b) {
    b = assemble([lstmFwd('lstmFwdSig', false), lstmFwd('lstmFwdHard', true), lstmBwd('lstmBwdSig', false), lstmBwd('lstmBwdHard', true), adam(), maxPoolGrad2x2(), gemm('gemm4x8', 4, 8), gemm('gemm1x8', 1, 8), gemm('gemm4x4', 4, 4), gemm('gemm1x4', 1, 4), colSumF64()], shared);
    bytesCache.set(shared, b);
  }
  return b;
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
 * found, or disabled): callers then use their JS fallbacks.
 */
export function simdKernels(backend: unknown): SimdKernels | null {
  if (disabled) return null;
  const mem = backendMemory(backend);
  if (!mem) return null;
  let k = instances.get(mem);
  if (k === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
      const mod = new WebAssembly.Module(simdModuleBytes(shared));
      k = new WebAssembly.Instance(mod, { env: { memory: mem } }).exports as unknown as SimdKernels;
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
