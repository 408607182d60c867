import type initWabt from 'wabt';

/**
 * WebAssembly text -> binary with wabt (a devDependency: the build compiles the kernels into dist/, see
 * scripts/build-node.mjs, and only runs from TypeScript sources compile them here on first use).
 *
 * A kernel module imports the tfjs wasm backend's memory as `(import "env" "memory" (memory 0))`. A module
 * whose memory import is not shared cannot be instantiated with a shared memory (the threaded backend's),
 * so `sharedMemory` rewrites that one line into its shared form before compiling.
 */

const MEMORY_IMPORT = '(import "env" "memory" (memory 0))';
const SHARED_MEMORY_IMPORT = '(import "env" "memory" (memory 0 65536 shared))';
type Wabt = Awaited<ReturnType<typeof initWabt>>;
const FEATURES: Parameters<Wabt['parseWat']>[2] = { simd: true, threads: true, multi_value: true, bulk_memory: true };
const FMA_FEATURES = { ...FEATURES, relaxed_simd: true } as Parameters<Wabt['parseWat']>[2];

/** Kernel modules also built in a fused multiply-add variant (`<name>.fma[.shared].wasm`, see fusedMultiplyAdd). */
export const FMA_MODULES: readonly string[] = ['gemm'];

/** The end of the balanced s-expression that starts at `i` (an opening parenthesis). */
function closing(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    if (source[j] === '(') depth++;
    else if (source[j] === ')' && --depth === 0) return j + 1;
  }
  throw new Error('unbalanced parentheses');
}

/** The two operand expressions of the instruction at `i` (its opening parenthesis) and where it ends. */
function operands(source: string, i: number): { args: string[]; end: number } {
  const end = closing(source, i);
  const args: string[] = [];
  for (let j = source.indexOf('(', i + 1); j >= 0 && j < end; j = source.indexOf('(', j)) {
    const e = closing(source, j);
    args.push(source.slice(j, e));
    j = e;
  }
  return { args, end };
}

/**
 * Every \`(f32x4.add ACC (f32x4.mul A B))\` becomes \`(f32x4.relaxed_madd A B ACC)\`: a fused multiply-add where
 * the CPU has one (relaxed SIMD; rounding once instead of twice, so results differ from the plain kernel in
 * the last bits). Throws when nothing matches, so that a change of the kernel's text cannot silently drop it.
 */
export function fusedMultiplyAdd(source: string, file: string): string {
  let out = '';
  let last = 0;
  let count = 0;
  for (let i = source.indexOf('(f32x4.add'); i >= 0; i = source.indexOf('(f32x4.add', i + 1)) {
    if (i < last) continue;
    const add = operands(source, i);
    const mul = add.args.length === 2 && add.args[1].startsWith('(f32x4.mul') ? operands(add.args[1], 0) : null;
    if (!mul || mul.args.length !== 2) continue;
    out += `${source.slice(last, i)}(f32x4.relaxed_madd ${mul.args[0]} ${mul.args[1]} ${add.args[0]})`;
    last = add.end;
    count++;
  }
  if (count === 0) throw new Error(`${file}: no (f32x4.add acc (f32x4.mul a b)) to fuse`);
  return out + source.slice(last);
}

export function withSharedMemory(source: string, file: string): string {
  const parts = source.split(MEMORY_IMPORT);
  if (parts.length !== 2) throw new Error(`${file}: expected exactly one ${MEMORY_IMPORT}`);
  return parts.join(SHARED_MEMORY_IMPORT);
}

let wabt: Promise<Wabt> | null = null;

/**
 * Compiles `source` (a .wat module; `file` names it in errors) to a validated binary; `fma`: its fused
 * multiply-add variant (fusedMultiplyAdd), which needs relaxed SIMD to run.
 */
export async function compileWat(source: string, file: string, sharedMemory: boolean, fma = false): Promise<Uint8Array<ArrayBuffer>> {
  // Loaded only when needed: the packaged app ships prebuilt binaries and no wabt.
  wabt ??= import('wabt').then((m) => m.default());
  const w = await wabt;
  const features = fma ? FMA_FEATURES : FEATURES;
  let text = sharedMemory ? withSharedMemory(source, file) : source;
  if (fma) text = fusedMultiplyAdd(text, file);
  const mod = w.parseWat(file, text, features);
  try {
    mod.resolveNames();
    // validate() takes the feature set too (without it, a shared memory is rejected); wabt's typings omit it.
    (mod.validate as (f: typeof features) => void).call(mod, features);
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
