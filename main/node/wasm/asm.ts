/**
 * A minimal WebAssembly assembler, enough to build small SIMD kernels at run time that work in place on the
 * tfjs wasm backend's heap (the module imports the backend's own `WebAssembly.Memory`). No toolchain is
 * needed: the kernels in simdKernels.ts are written with the helpers below and assembled when first used.
 *
 * Only the instructions used there are defined. Opcodes: https://webassembly.github.io/spec/core/binary/
 * (SIMD: prefix 0xfd followed by the LEB128 sub-opcode).
 */

export type Code = number[];
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const f32Bytes = (x: number): Code => Array.from(new Uint8Array(new Float32Array([x]).buffer));

/** Concatenates code fragments. */
export const c = (...parts: (number | Code)[]): Code => {
  const out: Code = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const b of p) out.push(b);
  }
  return out;
};

// ------------------------------------------------------------------------------------------ instructions

export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number, v: Code): Code => c(v, 0x21, uleb(i));
export const i32c = (n: number): Code => [0x41, ...sleb(n | 0)];
export const f32c = (x: number): Code => [0x43, ...f32Bytes(x)];
export const iadd = (a: Code, b: Code): Code => c(a, b, 0x6a);
export const isub = (a: Code, b: Code): Code => c(a, b, 0x6b);
export const imul = (a: Code, b: Code): Code => c(a, b, 0x6c);
export const igeu = (a: Code, b: Code): Code => c(a, b, 0x4f);
export const iand = (a: Code, b: Code): Code => c(a, b, 0x71);
/** block { loop { <body> br 0 } }: `body` exits with brIf1(cond) (a br_if 1 out of the loop). */
export const loop = (body: Code): Code => c(0x02, 0x40, 0x03, 0x40, body, 0x0c, 0x00, 0x0b, 0x0b);
export const brIf1 = (cond: Code): Code => c(cond, 0x0d, 0x01);

/** Value operations on f32 (scalar) or f32x4 (vec) values; addresses are i32 byte offsets. */
export interface Ops {
  vec: boolean;
  /** bytes per value: 16 or 4 */
  step: number;
  ty: number;
  ld(addr: Code): Code;
  st(addr: Code, v: Code): Code;
  k(x: number): Code;
  /** a scalar f32 value (e.g. a parameter) broadcast to the value type */
  splat(f: Code): Code;
  add(a: Code, b: Code): Code;
  sub(a: Code, b: Code): Code;
  mul(a: Code, b: Code): Code;
  div(a: Code, b: Code): Code;
  min(a: Code, b: Code): Code;
  max(a: Code, b: Code): Code;
  sqrt(a: Code): Code;
}

const simd = (op: number): Code => [0xfd, ...uleb(op)];

export const VEC: Ops = {
  vec: true,
  step: 16,
  ty: V128,
  ld: (addr) => c(addr, simd(0x00), 2, 0), // v128.load align=4 bytes (a hint), offset 0
  st: (addr, v) => c(addr, v, simd(0x0b), 2, 0),
  k: (x) => c(simd(0x0c), f32Bytes(x), f32Bytes(x), f32Bytes(x), f32Bytes(x)),
  splat: (f) => c(f, simd(0x13)),
  add: (a, b) => c(a, b, simd(0xe4)),
  sub: (a, b) => c(a, b, simd(0xe5)),
  mul: (a, b) => c(a, b, simd(0xe6)),
  div: (a, b) => c(a, b, simd(0xe7)),
  min: (a, b) => c(a, b, simd(0xe8)),
  max: (a, b) => c(a, b, simd(0xe9)),
  sqrt: (a) => c(a, simd(0xe3)),
};

export const SCALAR: Ops = {
  vec: false,
  step: 4,
  ty: F32,
  ld: (addr) => c(addr, 0x2a, 2, 0),
  st: (addr, v) => c(addr, v, 0x38, 2, 0),
  k: (x) => f32c(x),
  splat: (f) => f,
  add: (a, b) => c(a, b, 0x92),
  sub: (a, b) => c(a, b, 0x93),
  mul: (a, b) => c(a, b, 0x94),
  div: (a, b) => c(a, b, 0x95),
  min: (a, b) => c(a, b, 0x96),
  max: (a, b) => c(a, b, 0x97),
  sqrt: (a) => c(a, 0x91),
};

/** (lo <= x && x <= hi) ? v : 0 for the value in local `x` (read twice). */
export function inRangeL(o: Ops, x: number, lo: number, hi: number, v: number): Code {
  if (o.vec) {
    // f32x4.ge(x, lo) & f32x4.le(x, hi) & splat(v)
    return c(get(x), o.k(lo), simd(0x46), get(x), o.k(hi), simd(0x45), simd(0x4e), o.k(v), simd(0x4e));
  }
  // select(v, 0, (x >= lo) & (x <= hi))
  return c(f32c(v), f32c(0), get(x), f32c(lo), 0x60, get(x), f32c(hi), 0x5f, 0x71, 0x1b);
}

// ------------------------------------------------------------------------------------------ module

export interface FuncDef {
  name: string;
  params: number[];
  /** declared locals (types), after the params */
  locals: number[];
  body: Code;
}

const vecOf = (items: Code[]): Code => c(uleb(items.length), ...items);
const section = (id: number, body: Code): Code => c(id, uleb(body.length), body);
const str = (s: string): Code => c(uleb(s.length), Array.from(Buffer.from(s, 'utf8')));

/** A module importing `env.memory` (shared or not, as the backend's memory is) and exporting `funcs` (no results). */
export function assemble(funcs: FuncDef[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => c(0x60, vecOf(f.params.map((t) => [t])), vecOf([])));
  const mem = sharedMemory ? c(0x03, uleb(0), uleb(65536)) : c(0x00, uleb(0));
  const imports = vecOf([c(str('env'), str('memory'), 0x02, mem)]);
  const funcSec = vecOf(funcs.map((_, i) => uleb(i)));
  const exportSec = vecOf(funcs.map((f, i) => c(str(f.name), 0x00, uleb(i))));
  const code = vecOf(
    funcs.map((f) => {
      // Run-length groups of local types.
      const groups: Code[] = [];
      for (let i = 0; i < f.locals.length; ) {
        let j = i;
        while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
        groups.push(c(uleb(j - i), f.locals[i]));
        i = j;
      }
      const body = c(vecOf(groups), f.body, 0x0b);
      return c(uleb(body.length), body);
    }),
  );
  return Uint8Array.from(
    c([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], section(1, vecOf(types)), section(2, imports), section(3, funcSec), section(7, exportSec), section(10, code)),
  );
}

/** Allocates locals of a function (after its params) by type. */
export class Locals {
  readonly types: number[] = [];
  constructor(private readonly nParams: number) {}
  add(ty: number): number {
    this.types.push(ty);
    return this.nParams + this.types.length - 1;
  }
}
